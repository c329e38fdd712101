/**
 * The floor `npm run bench:subscriptions` compares the hub with: a bare
 * graphql-yoga server (the hub's Yoga version) with one subscription,
 * `sourceStatusChanged`, fed by the same Redis channel and event shape the hub
 * reads (`LIVE_TOPIC`, a JSON `LiveEvent`), and nothing else: no store, no
 * authentication, no per-request context. What a subscriber costs here is
 * what Yoga, SSE and Node's HTTP cost; the hub's figures minus these are the
 * hub's own. A child process: PORT and REDIS_URL from the environment; stops
 * on SIGTERM.
 */
import { createServer } from 'node:http';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, createSchema, createYoga, filter, pipe } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { LIVE_TOPIC, type LiveEvent } from '../store/live-events.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const publishClient = new Redis(redisUrl);
const subscribeClient = new Redis(redisUrl);
const pubsub = createPubSub<{ [LIVE_TOPIC]: [LiveEvent] }>({
  eventTarget: createRedisEventTarget({ publishClient, subscribeClient }),
});

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        hello: String!
      }
      type SourceStatusChange {
        eventId: ID!
        at: String!
        source: String!
        status: String!
        previousStatus: String
        lastSuccessAt: String
        error: String
      }
      type Subscription {
        sourceStatusChanged: SourceStatusChange!
      }
    `,
    resolvers: {
      Query: { hello: () => 'world' },
      Subscription: {
        sourceStatusChanged: {
          subscribe: () =>
            pipe(
              pubsub.subscribe(LIVE_TOPIC),
              filter((event) => event.kind === 'SOURCE_STATUS'),
            ),
          resolve: (event: LiveEvent & { kind: 'SOURCE_STATUS' }) => ({
            eventId: event.id,
            at: event.at,
            ...event.payload,
          }),
        },
      },
    },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
  logging: false,
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  publishClient.disconnect();
  subscribeClient.disconnect();
  process.exit(0);
});
