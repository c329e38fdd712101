/**
 * The floor of `npm run bench:subscriptions`: a hand-written SSE fan-out, no
 * GraphQL. Each live event from the Redis channel (`LIVE_TOPIC`) is turned
 * once into the bytes of a `sourceStatusChanged` result, written to every
 * open response: a subscriber is its socket, its request and response objects
 * and one Set entry, what Node's HTTP server costs. It does not parse,
 * validate or authorise the subscription (any POST to /graphql subscribes): it
 * shows what a transport that executes a subscription once per event and
 * distinct operation, rather than once per subscriber, could reach on this
 * machine. A child process: PORT and REDIS_URL from the environment; stops on
 * SIGTERM.
 */
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { LIVE_TOPIC, type LiveEvent } from '../store/live-events.ts';

const subscribeClient = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscribers = new Set<ServerResponse>();
await subscribeClient.subscribe(LIVE_TOPIC);
subscribeClient.on('message', (_channel: string, message: string) => {
  const event = JSON.parse(message) as LiveEvent;
  if (event.kind !== 'SOURCE_STATUS') return;
  const result = { data: { sourceStatusChanged: { eventId: event.id, at: event.at, ...event.payload } } };
  const chunk = Buffer.from(`event: next\ndata: ${JSON.stringify(result)}\n\n`);
  for (const res of subscribers) res.write(chunk);
});

const server = createServer((req, res) => {
  if (req.method === 'GET') return res.end('{"data":{"hello":"world"}}'); // the bench's readiness probe
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(':\n\n');
    subscribers.add(res);
    res.on('close', () => subscribers.delete(res));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  subscribeClient.disconnect();
  process.exit(0);
});
