/**
 * What the graph of history (issue 20) shares between its type files: one
 * DataLoader per request and key, and the visibility of a unit reached through
 * history for a consumer bound to a unit subtree (outside it: null, as an
 * unknown unit would be, without an error naming it).
 */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from './context.ts';

const historyLoaders = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

/** One DataLoader per request and key (a field and its arguments), batching by the string keys it is given. */
export function historyLoader<V>(
  ctx: Context,
  key: string,
  batch: (keys: readonly string[]) => Promise<V[]>,
): DataLoader<string, V> {
  const loaders = historyLoaders(ctx);
  let loader = loaders.get(key) as DataLoader<string, V> | undefined;
  if (!loader) loaders.set(key, (loader = new DataLoader<string, V>(batch)));
  return loader;
}

/** The unit code when the viewer may see that unit, else null (a unit reached through history may lie outside). */
export async function visibleUnit(ctx: Context, code: string | null | undefined): Promise<string | null> {
  if (code == null) return null;
  return (await ctx.units.canSee(code)) ? code : null;
}
