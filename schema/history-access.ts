/**
 * What the graph of history (issue 20) shares between its type files: the
 * visibility of a unit reached through history for a consumer bound to a unit
 * subtree (outside it: null, as an unknown unit would be, without an error
 * naming it). Its per-request loaders are request-loader.ts's.
 */
import type { Context } from './context.ts';

/** The unit code when the viewer may see that unit, else null (a unit reached through history may lie outside). */
export async function visibleUnit(ctx: Context, code: string | null | undefined): Promise<string | null> {
  if (code == null) return null;
  return (await ctx.units.canSee(code)) ? code : null;
}
