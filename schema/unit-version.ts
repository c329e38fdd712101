/**
 * UnitVersion: a unit as it stood over a range of days (issue 20), and
 * Unit.versions, its whole history.
 */
import { findVersionsOfUnits, type UnitVersionRow } from '../store/unit-history.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { visibleUnit } from './history-access.ts';
import { PsuSector, UnitKind, UnitLevel, UnitNode } from './unit.ts';

export const UnitVersionRef = builder.objectRef<UnitVersionRow>('UnitVersion').implement({
  description:
    'A unit as it stood from `validFrom` up to the day before `validTo`: its name, place in the tree and attributes then. Versions of a unit never overlap.',
  fields: (t) => ({
    version: t.exposeInt('version', {
      description: 'The version number (phiên bản), from 1, in order of validity.',
    }),
    validFrom: t.expose('validFrom', {
      type: 'Date',
      nullable: true,
      description: 'The first day of this version; null when it holds since before the hub knows.',
    }),
    validTo: t.expose('validTo', {
      type: 'Date',
      nullable: true,
      description: 'The day this version ended (it held up to the day before); null while it is in force.',
    }),
    name: t.exposeString('name', { description: 'The name then, with diacritics (NFC).' }),
    parent: t.field({
      type: UnitNode,
      nullable: true,
      description:
        'The unit directly above it then; null for a root, and for a consumer bound to a unit subtree when that unit lies outside it.',
      resolve: (version, _args, ctx) => visibleUnit(ctx, version.parentCode),
    }),
    level: t.expose('level', { type: UnitLevel, description: 'Administrative level then.' }),
    kind: t.expose('kind', { type: UnitKind, description: 'Kind of unit then.' }),
    sector: t.expose('sector', { type: PsuSector, nullable: true, description: 'Public service units only.' }),
    budgetCode: t.exposeString('budgetCode', {
      nullable: true,
      description: 'Budget-relation code (mã quan hệ ngân sách) then.',
    }),
    headcountQuota: t.exposeInt('headcountQuota', { nullable: true, description: 'Headcount quota (biên chế) then.' }),
    observed: t.exposeBoolean('observed', {
      description:
        'True when the hub recorded this version itself from the unit as it saw it change (the cadre database gave no history for it): its start is the day the hub saw the change, not the legal one.',
    }),
  }),
});

builder.objectFields(UnitNode, (t) => ({
  versions: t.loadableGroup({
    type: UnitVersionRef,
    description: 'Every version of the unit, oldest first (one statement for a page of units).',
    load: (codes: string[], ctx: Context) => findVersionsOfUnits(ctx.db, codes),
    group: (version) => version.code,
    resolve: (unit) => unit.code,
  }),
}));
