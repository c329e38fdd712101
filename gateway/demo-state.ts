/**
 * The demo hub's state file: where `npm run demo:tick` finds the running demo hub and its mock upstreams (on ports
 * chosen at start) without anyone reading them from the log. It sits beside the embedded store's directory
 * (`<PGLITE_DIR>.demo.json`, by default `.data/pglite.demo.json`), so each data directory has its own; the hub writes
 * it once it listens and removes it when it stops. Nothing secret is in it: addresses and a process id.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface DemoState {
  /** The hub's process. */
  pid: number;
  /** The hub's base URL (its dashboard is at /dashboard). */
  hub: string;
  /** The mock upstreams' admin API (connectors/mock/admin.ts), ending with `/__admin/`. */
  upstreamAdmin: string;
}

/** The state file of a hub whose embedded store is `pgliteDir`; null for an in-memory store (nowhere to write). */
export function demoStatePath(pgliteDir: string): string | null {
  return pgliteDir.includes('://') ? null : `${resolve(pgliteDir)}.demo.json`;
}

export function writeDemoState(path: string, state: DemoState): void {
  // With DATABASE_URL the embedded store's directory may never have been made.
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** The state the file holds; null when there is none (no demo hub started with this PGLITE_DIR, or it stopped). */
export function readDemoState(path: string): DemoState | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function removeDemoState(path: string): void {
  rmSync(path, { force: true });
}
