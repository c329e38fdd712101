/**
 * Small builders of canonical records for hand-built indicator fixtures: a
 * unit with plain defaults (a People's Committee valid since 2019, recorded at
 * the start of 2024) and instants written in Vietnam time.
 */
import type { Unit } from '../../store/model.ts';

/** When the fixtures' records were last updated upstream. */
export const RECORDED_AT = new Date('2024-01-01T00:00:00+07:00');

/** An instant in Vietnam time, 'YYYY-MM-DD HH:MM'. */
export const vn = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

/** A unit named after its code; `extra` overrides any default (kind, validity, quota …). */
export const unit = (
  code: string,
  parentCode: string | null,
  level: Unit['level'],
  extra: Partial<Unit> = {},
): Unit => ({
  code,
  budgetCode: null,
  name: `Đơn vị ${code}`,
  parentCode,
  level,
  kind: 'PEOPLES_COMMITTEE',
  sector: null,
  headcountQuota: null,
  validFrom: '2019-01-01',
  validTo: null,
  sourceUpdatedAt: RECORDED_AT,
  ...extra,
});
