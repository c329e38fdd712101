/**
 * One DataLoader per request and key, for fields whose batch depends on more
 * than the parent (their arguments, a feed, a side): every parent of a page
 * that asks with the same key shares one statement. Keys name their field
 * (e.g. `Procedure.dossiers …`), so fields never share a loader by accident.
 */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from './context.ts';

const loadersOf = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

export function requestLoader<V>(
  ctx: Context,
  key: string,
  batch: (keys: readonly string[]) => Promise<V[]>,
): DataLoader<string, V> {
  const loaders = loadersOf(ctx);
  let loader = loaders.get(key) as DataLoader<string, V> | undefined;
  if (!loader) loaders.set(key, (loader = new DataLoader<string, V>(batch)));
  return loader;
}
