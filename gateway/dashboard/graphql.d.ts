/**
 * Types of the dashboard's GraphQL client (graphql.js), which the browser
 * loads as is; for the tests that drive it from Node.
 */

export class Unauthorized extends Error {}

export class GraphQLRequestError extends Error {
  constructor(errors: { message: string; extensions?: Record<string, unknown> }[]);
  errors: { message: string; extensions?: Record<string, unknown> }[];
}

export function reconnectDelay(attempt: number): number;

export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
}

export function readEvents(body: ReadableStream<Uint8Array>, onBytes?: () => void): AsyncGenerator<ServerSentEvent>;

export interface ClientAuth {
  key(): string | null;
  unauthorized(): void;
  changed(): Promise<void>;
}

export type SubscriptionState = 'connecting' | 'open' | 'retrying' | 'unauthorized' | 'error';

export interface SubscribeOptions<Value> {
  query: string;
  variables: Record<string, unknown>;
  field: string;
  onData(value: Value): void;
  onState?(state: SubscriptionState, detail?: unknown): void;
  onExpired?(): void;
}

export interface Client {
  query<Data = any>(document: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<Data>;
  subscribe<Value = any>(options: SubscribeOptions<Value>): { close(): void };
}

export function createClient(options: { endpoint?: string; auth: ClientAuth }): Client;
