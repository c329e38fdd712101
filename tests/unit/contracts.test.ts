/**
 * Every rule of every contract lands where connectors/README.md's table says:
 * a record breaking a placing field is quarantined (its reason naming the
 * field); any other broken field is stored as null with the flaw
 * `invalid-value`; a record breaking a rule between fields is stored with
 * exactly that flaw. The table itself is checked against the contracts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUDGET_EXECUTION_FEED, PSU_FINANCE_FEED, PUBLIC_INVESTMENT_FEED } from '../../connectors/budget/connector.ts';
import {
  budgetExecutionContract,
  psuFinanceContract,
  publicInvestmentContract,
} from '../../connectors/budget/contract.ts';
import {
  STAFF_ASSIGNMENTS_FEED,
  STAFF_FEED,
  UNIT_EVENTS_FEED,
  UNIT_VERSIONS_FEED,
  UNITS_FEED,
} from '../../connectors/cadre-db/connector.ts';
import {
  staffAssignmentContract,
  staffContract,
  unitContract,
  unitEventContract,
  unitVersionContract,
} from '../../connectors/cadre-db/contract.ts';
import { checkRecord, contractRules, INVALID_VALUE, type RecordContract } from '../../connectors/common/flaws.ts';
import { isCompactLocal, parseCompactLocal } from '../../connectors/common/wire.ts';
import { DOSSIERS_FEED, PROCEDURES_FEED } from '../../connectors/one-stop-shop/connector.ts';
import { dossierContract, procedureContract } from '../../connectors/one-stop-shop/contract.ts';
import {
  budgetLineCells,
  dossierWire,
  procedureWire,
  psuFinanceWire,
  publicInvestmentWire,
  staffAssignmentWire,
  staffWire,
  unitEventWire,
  unitVersionWire,
  unitWire,
} from '../support/spec-examples.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyContract = RecordContract<any, any>;

/** Each feed's contract and the example record of docs/upstreams.md. */
const CONTRACTS: [feed: string, contract: AnyContract, example: Record<string, unknown>][] = [
  [PROCEDURES_FEED, procedureContract, procedureWire()],
  [DOSSIERS_FEED, dossierContract, dossierWire()],
  [UNITS_FEED, unitContract, unitWire()],
  [STAFF_FEED, staffContract, staffWire()],
  [UNIT_VERSIONS_FEED, unitVersionContract, unitVersionWire()],
  [UNIT_EVENTS_FEED, unitEventContract, unitEventWire()],
  [STAFF_ASSIGNMENTS_FEED, staffAssignmentContract, staffAssignmentWire()],
  [PSU_FINANCE_FEED, psuFinanceContract, psuFinanceWire()],
  [BUDGET_EXECUTION_FEED, budgetExecutionContract, budgetLineCells()],
  [PUBLIC_INVESTMENT_FEED, publicInvestmentContract, publicInvestmentWire()],
];

/** The example changed so that it breaks one rule between fields, and only that one. */
const BREAKING: Readonly<Record<string, Record<string, unknown>>> = {
  // The example: received 2024-06-14 09:05, due 06-17 17:00, finished 06-17 10:15, returned 06-17 14:30, status 10.
  'due-before-received': { NgayHenTra: '20240613170000' },
  'finished-before-received': { NgayKetThucXuLy: '20240613101500' },
  'returned-before-finished': { NgayTra: '20240617101400' },
  'updated-before-received': { NgayCapNhat: '20240614090000' },
  'resolved-without-finish-time': { TrangThaiHoSo: 9, NgayKetThucXuLy: '', NgayTra: '' },
  'returned-without-return-time': { NgayTra: '' },
  'paid-online-without-fee': { CoPhiLePhi: 0 },
  // The example unit: a People's Committee valid from 2019-01-01.
  'validity-ends-before-it-starts': { hieuLucDen: '2018-12-31' },
  'public-service-unit-without-sector': { loaiDonVi: 'DVSNCL', linhVuc: null },
  'sector-outside-public-service-unit': { loaiDonVi: 'UBND', linhVuc: 'GIAO_DUC' },
  // The example event: a merger, which has one unit after it.
  'units-do-not-fit-event-type': { donViSau: ['000.03.00.H10', '000.04.00.H10'] },
  // The example person: a civil servant (CONG_CHUC).
  'grade-missing': { maNgach: '' },
};

/** Fields the contract document gives without saying they are required: empty, null and absent are accepted. */
const OPTIONAL: [feed: string, field: string][] = [
  [PROCEDURES_FEED, 'MaLinhVuc'],
  [PROCEDURES_FEED, 'TenLinhVuc'],
  [DOSSIERS_FEED, 'ChuHoSo'],
  [DOSSIERS_FEED, 'SoDienThoai'],
  [DOSSIERS_FEED, 'NgayHenTra'],
  [UNITS_FEED, 'maDinhDanhCha'],
  [UNITS_FEED, 'maQHNS'],
  [UNITS_FEED, 'hieuLucTu'],
  [UNITS_FEED, 'hieuLucDen'],
  [STAFF_FEED, 'ngaySinh'],
  [STAFF_FEED, 'gioiTinh'],
  [STAFF_FEED, 'chucVu'],
  [STAFF_FEED, 'trinhDoChuyenMon'],
  [PSU_FINANCE_FEED, 'soQuyetDinh'],
  [UNIT_VERSIONS_FEED, 'denNgay'],
  [UNIT_VERSIONS_FEED, 'maDinhDanhCha'],
  [UNIT_VERSIONS_FEED, 'maQHNS'],
  [UNIT_EVENTS_FEED, 'canCu'],
  [STAFF_ASSIGNMENTS_FEED, 'chucVu'],
  [STAFF_ASSIGNMENTS_FEED, 'denNgay'],
];

const fieldCases = CONTRACTS.flatMap(([feed, contract, example]) =>
  Object.keys(contract.fields).map((field) => [feed, field, contract, example] as const),
);

describe('the contracts, field by field and rule by rule', () => {
  it.each(CONTRACTS)(
    '%s: the documented example is sound (no flaw) and unknown fields are ignored',
    (_, contract, example) => {
      const checked = checkRecord(contract, { ...example, TruongMoi: 'x' });
      expect(checked).toMatchObject({ ok: true, flaws: [] });
      expect(checked.ok && checked.record).not.toHaveProperty('TruongMoi');
    },
  );

  it.each(fieldCases)(
    '%s.%s of no valid type: quarantined if it places the record, else stored null and flagged',
    (_, field, contract, example) => {
      // An object is of no field's type.
      const checked = checkRecord(contract, { ...example, [field]: {} });
      if (contract.placing.includes(field)) {
        expect(checked).toMatchObject({ ok: false });
        // The reason names the field and shows the value it had (masked when personal).
        const shown = contract.personal[field] ? '\\(personal data, masked\\)' : '\\{\\}';
        expect(!checked.ok && checked.reason).toMatch(new RegExp(`^bad value: ${field} = ${shown}, expected `));
      } else {
        expect(checked).toMatchObject({ ok: true, flaws: [{ rule: INVALID_VALUE, field, value: '{}' }] });
        expect(checked.ok && checked.record[field]).toBeNull();
      }
    },
  );

  const required = fieldCases.filter(
    ([, field, contract]) => contract.placing.includes(field) && !contract.fields[field].safeParse(undefined).success,
  );
  it.each(required)('%s.%s absent: quarantined as a missing field', (_, field, contract, example) => {
    const { [field]: _absent, ...rest } = example;
    expect(checkRecord(contract, rest)).toEqual({ ok: false, reason: `missing field ${field}`, unknown: [] });
  });

  const ruleCases = CONTRACTS.flatMap(([feed, contract, example]) =>
    contract.rules.map((rule) => [feed, rule.rule, rule.field, contract, example] as const),
  );
  it.each(ruleCases)(
    '%s: a record breaking %s is stored with exactly that flaw on %s',
    (_, rule, field, contract, example) => {
      const change = BREAKING[rule];
      expect(change, `a breaking change for ${rule}`).toBeDefined();
      const record = { ...example, ...change };
      const checked = checkRecord(contract, record);
      expect(checked).toEqual({
        ok: true,
        record: expect.anything(),
        flaws: [{ rule, field, value: JSON.stringify(record[field]) }],
        unknown: [],
      });
    },
  );

  it.each(OPTIONAL)('%s.%s: empty, null and absent are accepted without a flaw', (feed, field) => {
    const [, contract, example] = CONTRACTS.find(([name]) => name === feed)!;
    const { [field]: _absent, ...rest } = example;
    for (const record of [{ ...example, [field]: '' }, { ...example, [field]: null }, rest]) {
      expect(checkRecord(contract, record)).toMatchObject({ ok: true, flaws: [] });
    }
  });

  it('an empty grade is normal for a cadre (CAN_BO): no flaw; for a civil servant it is grade-missing', () => {
    expect(checkRecord(staffContract, staffWire({ phanLoai: 'CAN_BO', maNgach: '' }))).toMatchObject({ flaws: [] });
    expect(checkRecord(staffContract, staffWire({ phanLoai: 'CAN_BO', maNgach: null }))).toMatchObject({ flaws: [] });
    expect(checkRecord(staffContract, staffWire({ maNgach: null }))).toMatchObject({
      flaws: [{ rule: 'grade-missing', field: 'maNgach' }],
    });
  });

  it('a dossier returned without its hand-over time keeps its finish time (it is resolved on that day)', () => {
    const checked = checkRecord(dossierContract, dossierWire({ NgayTra: '' }));
    expect(checked).toMatchObject({ ok: true, record: { NgayKetThucXuLy: '20240617101500', NgayTra: null } });
  });

  it('a reason tells a missing field from a bad value, shows the value, masks a personal one', () => {
    // A renamed field: missing, and the new name is an unknown field.
    const { MaDonVi, ...renamed } = dossierWire();
    expect(checkRecord(dossierContract, { ...renamed, MaDonViXuLy: MaDonVi })).toEqual({
      ok: false,
      reason: 'missing field MaDonVi',
      unknown: ['MaDonViXuLy'],
    });
    expect(checkRecord(dossierContract, dossierWire({ MaDonVi: 12 as unknown as string }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^bad value: MaDonVi = 12, expected /),
    });
    // A person's name is personal data: its value never appears in a reason.
    const checked = checkRecord(staffContract, staffWire({ hoTen: 42 as unknown as string }));
    expect(checked).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^bad value: hoTen = \(personal data, masked\), expected /),
    });
    // A long value is cut at 60 characters.
    const long = 'x'.repeat(100);
    const cut = checkRecord(dossierContract, dossierWire({ NgayTiepNhan: long }));
    expect(!cut.ok && cut.reason).toBe(
      `bad value: NgayTiepNhan = "${'x'.repeat(59)}…, expected ${!cut.ok && cut.reason.split(', expected ')[1]}`,
    );
  });

  it('something that is not an object cannot be placed', () => {
    for (const item of [null, 'x', 3, []]) expect(checkRecord(dossierContract, item)).toMatchObject({ ok: false });
  });

  it('reads local times as Vietnam time (UTC+7), leap days included', () => {
    expect(parseCompactLocal('20240617170000')?.toISOString()).toBe('2024-06-17T10:00:00.000Z');
    expect(parseCompactLocal('20240101003000')?.toISOString()).toBe('2023-12-31T17:30:00.000Z');
    expect(isCompactLocal('20240229120000')).toBe(true);
    expect(isCompactLocal('20230229120000')).toBe(false);
    expect(isCompactLocal('2024061717000a')).toBe(false);
  });
});

describe("connectors/README.md's table of what the hub does with each broken field and rule", () => {
  const README = readFileSync(new URL('../../connectors/README.md', import.meta.url), 'utf8');
  // Rows of the table: | `feed` | `field` | `rule` | quarantine / store … |
  const ROW = /^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \| (quarantine|store[^|]*) \|/;

  it('lists exactly the rules of the contracts, each with what the hub does', () => {
    const documented = README.split('\n')
      .map((line) => ROW.exec(line))
      .flatMap((match) => (match ? [`${match[1]} ${match[2]} ${match[3]} ${match[4]!.startsWith('quarantine')}`] : []));
    const declared = CONTRACTS.flatMap(([feed, contract]) =>
      contractRules(contract).map(({ field, rule, quarantine }) => `${feed} ${field} ${rule} ${quarantine}`),
    );
    expect(documented.sort()).toEqual(declared.sort());
  });
});
