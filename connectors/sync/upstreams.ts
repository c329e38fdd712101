/**
 * The hub's upstreams as configured: one HTTP client (its own keep-alive
 * pool and circuit breaker) and one connector per upstream whose URL is set.
 */
import { createBudgetConnector } from '../budget/connector.ts';
import { createCadreDbConnector } from '../cadre-db/connector.ts';
import type { Connector, SourceName } from '../feed.ts';
import { createUpstreamClient, type CircuitState, type UpstreamClient } from '../http/client.ts';
import { createOneStopShopConnector } from '../one-stop-shop/connector.ts';

export interface UpstreamUrls {
  ONE_STOP_SHOP?: string | undefined;
  CADRE_DB?: string | undefined;
  BUDGET?: string | undefined;
}

export interface UpstreamSettings {
  /** HTTP client settings shared by every upstream (timeouts, retries); tests shorten them. */
  client?: Partial<Omit<Parameters<typeof createUpstreamClient>[0], 'source' | 'baseUrl' | 'exchange'>>;
  /** Per upstream, what wraps or replaces its network exchange: record or replay (connectors/http/tape.ts). */
  exchange?: (source: SourceName) => NonNullable<Parameters<typeof createUpstreamClient>[0]['exchange']>;
  /** The budget connector's clock (which months exist yet); demo mode passes the simulated one. */
  now?: () => Date;
}

export interface Upstreams {
  connectors: Connector[];
  clients: Partial<Record<SourceName, UpstreamClient>>;
  /** The circuit breaker's state of a configured upstream; null when it is not configured here. */
  circuit(source: SourceName): CircuitState | null;
  close(): Promise<void>;
}

export function createUpstreams(urls: UpstreamUrls, settings: UpstreamSettings = {}): Upstreams {
  const clients: Partial<Record<SourceName, UpstreamClient>> = {};
  const connectors: Connector[] = [];
  const client = (source: SourceName, baseUrl: string) =>
    (clients[source] = createUpstreamClient({
      ...settings.client,
      ...(settings.exchange ? { exchange: settings.exchange(source) } : {}),
      source,
      baseUrl,
    }));
  // The connector carries its base URL: the engine keeps it with each feed's saved position.
  const add = (connector: Connector, baseUrl: string) => connectors.push({ ...connector, baseUrl });

  if (urls.CADRE_DB) add(createCadreDbConnector(client('CADRE_DB', urls.CADRE_DB)), urls.CADRE_DB);
  if (urls.ONE_STOP_SHOP) {
    add(createOneStopShopConnector(client('ONE_STOP_SHOP', urls.ONE_STOP_SHOP)), urls.ONE_STOP_SHOP);
  }
  if (urls.BUDGET) {
    const options = settings.now ? { now: settings.now } : {};
    add(createBudgetConnector(client('BUDGET', urls.BUDGET), options), urls.BUDGET);
  }
  return {
    connectors,
    clients,
    circuit: (source) => clients[source]?.circuit ?? null,
    close: async () => void (await Promise.all(Object.values(clients).map((c) => c.close()))),
  };
}
