/**
 * StaffAssignment: a period of a person's working history (issue 20), and
 * Staff.assignments.
 */
import { findAssignmentsOfStaff, type StaffAssignmentRow } from '../store/unit-history.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { StaffCategory, StaffNode } from './staff.ts';
import { UnitNode } from './unit.ts';

export const StaffAssignmentRef = builder.objectRef<StaffAssignmentRow>('StaffAssignment').implement({
  description:
    'Where a person worked, as what, from `validFrom` up to the day before `validTo` (quá trình công tác). Holds no personal data: the `read:staff` scope that shows the person shows it.',
  fields: (t) => ({
    unit: t.field({
      type: UnitNode,
      description: 'The unit the person worked in.',
      resolve: (assignment) => assignment.unitCode,
    }),
    category: t.expose('category', {
      type: StaffCategory,
      nullable: true,
      description: 'Staff category then (phân loại); null when not recorded.',
    }),
    position: t.exposeString('position', { nullable: true, description: 'Position held then (chức vụ).' }),
    meetsStandard: t.exposeBoolean('meetsStandard', {
      nullable: true,
      description:
        'Whether the person met the qualification standard of the post then (đạt chuẩn); null when not recorded.',
    }),
    validFrom: t.expose('validFrom', {
      type: 'Date',
      nullable: true,
      description: 'The first day; null when unknown (an assignment the hub recorded without knowing since when).',
    }),
    validTo: t.expose('validTo', {
      type: 'Date',
      nullable: true,
      description: 'The day it ended (it held up to the day before); null while it is in force.',
    }),
    observed: t.exposeBoolean('observed', {
      description:
        'True when the hub recorded it itself from the person’s record as it saw it change (the cadre database gave no history): its dates are the days the hub saw the change.',
    }),
  }),
});

builder.objectFields(StaffNode, (t) => ({
  assignments: t.loadableGroup({
    type: StaffAssignmentRef,
    description:
      'The person’s working history, oldest first (one statement for a page of people). For a consumer bound to a unit subtree, only the assignments in units of that subtree.',
    load: (ids: string[], ctx: Context) => findAssignmentsOfStaff(ctx.db, ids, ctx.units.root),
    group: (assignment) => assignment.staffId,
    resolve: (staff) => staff.id,
  }),
}));
