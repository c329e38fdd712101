/**
 * The three mock upstreams on real sockets, sharing one MockWorld, each with
 * its own fault controller (so that a fault set on one server's admin
 * endpoint leaves the others alone).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockWorld } from './world.ts';
import type { MockApp } from './app.ts';
import { createFaultController, type FaultController } from './faults.ts';
import { toNodeListener } from './node-adapter.ts';
import { json } from './http.ts';
import { createOneStopShopApp } from '../one-stop-shop/mock/app.ts';
import { createCadreDbApp, type CadreDbMockOptions } from '../cadre-db/mock/app.ts';
import { createBudgetApp } from '../budget/mock/app.ts';

export type UpstreamName = 'oneStopShop' | 'cadreDb' | 'budget';
const UPSTREAMS: readonly UpstreamName[] = ['oneStopShop', 'cadreDb', 'budget'];

export const DEFAULT_PORTS: Readonly<Record<UpstreamName, number>> = { oneStopShop: 4101, cadreDb: 4102, budget: 4103 };

export interface MockUpstreamsOptions {
  world: MockWorld;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default DEFAULT_PORTS; 0 for any free port. */
  ports?: Partial<Record<UpstreamName, number>>;
  /** Run after each move of the clock through an admin endpoint (see withSyncOnClock); the demo hub syncs. */
  syncOnClock?: () => Promise<unknown>;
  /** The cadre database's options: `{ history: false }` serves no v2.1 history paths (404), as an older upstream. */
  cadreDb?: CadreDbMockOptions;
}

export interface MockUpstreams {
  urls: Record<UpstreamName, string>;
  /** The servers' fault controllers, for tests in the same process (the admin endpoints reach the same ones). */
  faults: Record<UpstreamName, FaultController>;
  /** Stops the servers, cutting open connections (hung requests included) rather than waiting for them. */
  close(): Promise<void>;
}

const appFactories = (
  options: Pick<MockUpstreamsOptions, 'cadreDb'>,
): Record<UpstreamName, (world: MockWorld, faults: FaultController) => MockApp> => ({
  oneStopShop: createOneStopShopApp,
  cadreDb: (world, faults) => createCadreDbApp(world, faults, options.cadreDb),
  budget: createBudgetApp,
});

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The app, whose `POST /__admin/clock` also runs `sync` once the clock has moved, and answers with what it returned
 * (`synced`) or why it failed (`syncError`, HTTP 502), so that the new simulated time's records reach the hub at once.
 */
function withSyncOnClock(app: MockApp, sync: () => Promise<unknown>): MockApp {
  return async (request) => {
    const response = await app(request);
    if (!response.ok || request.method !== 'POST' || new URL(request.url).pathname !== '/__admin/clock')
      return response;
    const moved = (await response.json()) as object;
    try {
      return json({ ...moved, synced: await sync() });
    } catch (error) {
      return json({ ...moved, syncError: (error as Error).message }, { status: 502 });
    }
  };
}

/** How a client reaches `host`: a wildcard address is reached on localhost, IPv6 in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startMockUpstreams({
  world,
  host = '127.0.0.1',
  ports = {},
  syncOnClock,
  cadreDb,
}: MockUpstreamsOptions): Promise<MockUpstreams> {
  const factories = appFactories(cadreDb ? { cadreDb } : {});
  const faults = {} as Record<UpstreamName, FaultController>;
  const servers = {} as Record<UpstreamName, Server>;
  for (const name of UPSTREAMS) {
    faults[name] = createFaultController();
    const app = factories[name](world, faults[name]);
    servers[name] = createServer(toNodeListener(syncOnClock ? withSyncOnClock(app, syncOnClock) : app));
  }
  const close = async () => void (await Promise.all(UPSTREAMS.map((name) => stop(servers[name]))));
  try {
    const bound = await Promise.all(
      UPSTREAMS.map((name) => listen(servers[name], ports[name] ?? DEFAULT_PORTS[name], host)),
    );
    const urls = Object.fromEntries(UPSTREAMS.map((name, i) => [name, `http://${urlHost(host)}:${bound[i]}`]));
    return { urls: urls as Record<UpstreamName, string>, faults, close };
  } catch (error) {
    await close();
    throw error;
  }
}
