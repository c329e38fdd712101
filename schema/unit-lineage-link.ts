/**
 * UnitLineageLink: one predecessor → successor pair of an administrative event
 * (issue 20), seen from one of its units; Unit.predecessors and Unit.successors.
 */
import { findLineageOfUnits, type LineageLinkRow } from '../store/unit-history.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { UnitEventRef } from './unit-event.ts';
import { UnitNode } from './unit.ts';

export const UnitLineageLinkRef = builder.objectRef<LineageLinkRow>('UnitLineageLink').implement({
  description:
    'A link of lineage between two units: the other unit (a predecessor or a successor of the unit it is read from) and the event that made it. A rename adds no link: the unit stays itself.',
  fields: (t) => ({
    unit: t.field({
      type: UnitNode,
      description: 'The other unit: the predecessor (in `predecessors`) or the successor (in `successors`).',
      resolve: (link) => link.otherCode,
    }),
    event: t.field({
      type: UnitEventRef,
      description: 'The event that links them, with its day and legal basis.',
      resolve: (link) => link.event,
    }),
  }),
});

builder.objectFields(UnitNode, (t) => ({
  predecessors: t.loadableGroup({
    type: UnitLineageLinkRef,
    description:
      'The units this one came from (by merger, split or a dissolution it took over), by the event’s day then code; for a consumer bound to a unit subtree, those inside it only.',
    load: (codes: string[], ctx: Context) => findLineageOfUnits(ctx.db, codes, 'PREDECESSORS', ctx.units.root),
    group: (link) => link.forUnit,
    resolve: (unit) => unit.code,
  }),
  successors: t.loadableGroup({
    type: UnitLineageLinkRef,
    description:
      'The units this one became or passed its work to, by the event’s day then code; for a consumer bound to a unit subtree, those inside it only.',
    load: (codes: string[], ctx: Context) => findLineageOfUnits(ctx.db, codes, 'SUCCESSORS', ctx.units.root),
    group: (link) => link.forUnit,
    resolve: (unit) => unit.code,
  }),
}));
