/**
 * One subscriber process of `npm run bench:subscriptions`: holds a share of
 * the SSE subscriptions (one HTTP connection each, Yoga's distinct-connections
 * mode) and notes when each event arrives on each of them, driven by its
 * parent over the IPC channel (Command: open, status, report, close). A
 * receipt is noted when its chunk arrives, on the clock the parent notes the
 * publish instant with (performance.timeOrigin + performance.now()). node:http
 * rather than undici: a response body read chunk by chunk as it arrives, with
 * nothing pooled, is all an SSE subscriber needs.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';

interface OpenCommand {
  type: 'open';
  origin: string;
  body: string;
  count: number;
  /** Subscriptions being opened at once (connect + response headers). */
  concurrency: number;
  /** Where an event's key is in its `data`, e.g. ['sourceStatusChanged', 'error']. */
  keyPath: string[];
}
type Command = OpenCommand | { type: 'status' } | { type: 'report' } | { type: 'close' };

interface Subscription {
  request: ClientRequest;
  response?: IncomingMessage;
  buffer: string;
  warmed: boolean;
  ended: boolean;
}

const subscriptions: Subscription[] = [];
const receipts = new Map<string, number[]>();
/** Measured events received, over every subscription. */
let received = 0;
/** Warm-up events received, over every subscription. */
let warmReceived = 0;
let firstError: string | null = null;
let keyPath: string[] = [];
let closing = false;

const now = () => performance.timeOrigin + performance.now();
const noteError = (message: string) => void (firstError ??= message);

/** The events of the complete blocks in a subscription's buffer ("event: next\ndata: {…}\n\n"). */
function consume(subscription: Subscription, arrivedAt: number) {
  let end: number;
  while ((end = subscription.buffer.indexOf('\n\n')) !== -1) {
    const block = subscription.buffer.slice(0, end);
    subscription.buffer = subscription.buffer.slice(end + 2);
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      // Lines starting with ':' are Yoga's keep-alive pings.
    }
    if (event === 'complete') {
      subscription.ended = true;
      if (!closing) noteError('the server completed a subscription');
      continue;
    }
    if (!data) continue;
    let key: unknown;
    try {
      const message = JSON.parse(data) as { data?: unknown; errors?: { message: string }[] };
      if (message.errors?.length) {
        noteError(`error event: ${message.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      key = keyPath.reduce<any>((value, name) => value?.[name], message.data);
    } catch {
      noteError(`not JSON: ${data.slice(0, 200)}`);
      continue;
    }
    if (typeof key !== 'string') {
      noteError(`no key at ${keyPath.join('.')}: ${data.slice(0, 200)}`);
      continue;
    }
    // Warm-up keys only mark the subscription as listening: the parent publishes them until every subscription has
    // seen one, so no measured event goes out before a subscriber listens.
    if (key.startsWith('warm')) {
      subscription.warmed = true;
      warmReceived += 1;
    } else {
      let list = receipts.get(key);
      if (!list) receipts.set(key, (list = []));
      list.push(arrivedAt);
      received += 1;
    }
  }
}

/** Opens one subscription; resolves once its response headers are in (or it failed). */
function subscribe(command: OpenCommand): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL('/graphql', command.origin);
    const req = request(url, {
      method: 'POST',
      agent: false, // a socket of its own, never pooled
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': Buffer.byteLength(command.body),
      },
    });
    const subscription: Subscription = { request: req, buffer: '', warmed: false, ended: false };
    req.on('response', (response) => {
      if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/event-stream')) {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          noteError(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
          resolve(false);
        });
        return;
      }
      subscription.response = response;
      subscriptions.push(subscription);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        subscription.buffer += chunk;
        consume(subscription, now());
      });
      response.on('end', () => {
        subscription.ended = true;
        if (!closing) noteError('the server ended a subscription');
      });
      response.on('error', (error) => {
        subscription.ended = true;
        if (!closing) noteError(`response: ${error.message}`);
      });
      resolve(true);
    });
    req.on('error', (error) => {
      subscription.ended = true;
      if (!closing) noteError(`request: ${error.message}`);
      resolve(false);
    });
    req.end(command.body);
  });
}

async function open(command: OpenCommand) {
  keyPath = command.keyPath;
  let next = 0;
  let opened = 0;
  let failed = 0;
  async function lane() {
    while (next < command.count) {
      next += 1;
      if (await subscribe(command)) opened += 1;
      else failed += 1;
    }
  }
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, lane));
  return { opened, failed };
}

const send = (message: unknown) => process.send!(message);

process.on('message', (command: Command) => {
  switch (command.type) {
    case 'open':
      void open(command).then(({ opened, failed }) => send({ type: 'opened', opened, failed, firstError }));
      break;
    case 'status':
      send({
        type: 'status',
        open: subscriptions.filter((s) => !s.ended).length,
        warmed: subscriptions.filter((s) => s.warmed && !s.ended).length,
        ended: subscriptions.filter((s) => s.ended).length,
        received,
        warmReceived,
        firstError,
      });
      break;
    case 'report':
      send({ type: 'report', receipts: Object.fromEntries(receipts) });
      break;
    case 'close':
      closing = true;
      for (const subscription of subscriptions) subscription.request.destroy();
      // Disconnecting ends this process (below), once the answer is out.
      process.send!({ type: 'closed' }, undefined, {}, () => process.disconnect());
      break;
  }
});
// The parent going away (a failed run) ends this process too.
process.on('disconnect', () => {
  closing = true;
  for (const subscription of subscriptions) subscription.request.destroy();
  process.exit(0);
});
