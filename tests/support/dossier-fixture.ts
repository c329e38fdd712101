/**
 * A small hand-built province for the one-stop-shop figures: every dossier is
 * stated here (a few by hand, the bulk in loops with stated counts), so the
 * test can assert each figure with numbers worked out by hand.
 *
 *   P  UBND tỉnh (province), no dossiers of its own
 *   ├─ Y   UBND huyện Yên Thế: seed 001's district half-year, 2024-H1 (the bulk below)
 *   └─ T   UBND huyện Tân Yên, no dossiers of its own
 *      ├─ TC  Xã Liên Chung: outcome edges, left statuses, the flags of the rates (c1 … c15)
 *      ├─ TB  Xã Việt Lập: the 14th / 15th boundary of reporting and calendar months (b1 … b5)
 *      └─ TX  Xã Ngọc Thiện: dissolved on 2024-07-01 (valid to 2024-06-30) (x1, x2)
 *
 * Times are written in Vietnam time (UTC+7); several sit near midnight, where
 * the UTC day differs from the Vietnam day, so a period cut in UTC would count
 * them wrongly.
 */
import type { Queryable } from '../../store/db.ts';
import type {
  Dossier,
  DossierChannel,
  DossierStatus,
  OnlinePaymentChannel,
  Procedure,
  Unit,
} from '../../store/model.ts';
import { upsertDossiers } from '../../store/dossiers.ts';
import { upsertProcedures } from '../../store/procedures.ts';
import { upsertUnits } from '../../store/units.ts';

export const P = '000.00.00.T99';
export const Y = '000.00.12.T99';
export const T = '000.00.13.T99';
export const TC = '004.13.00.T99';
export const TB = '003.13.00.T99';
export const TX = '005.13.00.T99';

/** Procedures: offered as a full-process online service (with a fee), partly online, offline only. */
export const PF = '1.000001';
export const PP = '1.000002';
export const PN = '1.000003';

const RECORDED_AT = new Date('2024-01-01T00:00:00+07:00');

/** An instant given in Vietnam time: 'YYYY-MM-DD HH:MM'. */
export const vn = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const addDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000);
/** The same Vietnam day as `at`, at the given hour (Vietnam time). */
const atHour = (at: Date, hour: number) => {
  const day = new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
  return vn(`${day} ${String(hour).padStart(2, '0')}:00`);
};

function unit(code: string, name: string, parentCode: string | null, level: Unit['level'], extra: Partial<Unit> = {}) {
  return {
    code,
    budgetCode: null,
    name,
    parentCode,
    level,
    kind: 'PEOPLES_COMMITTEE',
    sector: null,
    headcountQuota: null,
    validFrom: '2019-01-01',
    validTo: null,
    sourceUpdatedAt: RECORDED_AT,
    ...extra,
  } satisfies Unit;
}

export const UNITS: Unit[] = [
  unit(P, 'UBND tỉnh Bắc Giang', null, 'PROVINCE'),
  unit(Y, 'UBND huyện Yên Thế', P, 'DISTRICT'),
  unit(T, 'UBND huyện Tân Yên', P, 'DISTRICT'),
  unit(TC, 'UBND xã Liên Chung', T, 'COMMUNE'),
  unit(TB, 'UBND xã Việt Lập', T, 'COMMUNE'),
  unit(TX, 'UBND xã Ngọc Thiện', T, 'COMMUNE', { validTo: '2024-07-01' }),
];

const procedure = (code: string, name: string, onlineService: Procedure['onlineService'], hasFee: boolean) =>
  ({
    code,
    name,
    fieldCode: 'G09-HT',
    fieldName: 'Hộ tịch',
    levels: ['DISTRICT', 'COMMUNE'],
    onlineService,
    hasFee,
  }) satisfies Procedure;

export const PROCEDURES: Procedure[] = [
  procedure(PF, 'Cấp bản sao trích lục hộ tịch', 'FULL_PROCESS', true),
  procedure(PP, 'Đăng ký khai sinh', 'PARTIAL', false),
  procedure(PN, 'Đăng ký lại khai tử', 'NONE', false),
];

/** What a dossier states; the rest defaults to a plain, resolved-nowhere, flag-less dossier. */
interface Draft {
  code: string;
  unitCode: string;
  procedureCode: string;
  channel: DossierChannel;
  status: DossierStatus;
  receivedAt: Date;
  dueAt: Date | null;
  finishedAt?: Date | null;
  /** The last update; by default the finish time, or the reception for an open dossier. */
  updatedAt?: Date;
  fullProcessOnline?: boolean;
  hasFee?: boolean;
  onlinePayment?: OnlinePaymentChannel | null;
  digitised?: boolean;
  electronicResult?: boolean;
}

function dossier(d: Draft): Dossier {
  const finishedAt = d.finishedAt ?? null;
  return {
    code: d.code,
    procedureCode: d.procedureCode,
    unitCode: d.unitCode,
    channel: d.channel,
    status: d.status,
    applicantName: 'Nguyễn Văn An',
    applicantPhone: '0912345678',
    receivedAt: d.receivedAt,
    dueAt: d.dueAt,
    finishedAt,
    returnedAt: d.status === 'RETURNED' ? finishedAt : null,
    fullProcessOnline: d.fullProcessOnline ?? false,
    hasFee: d.hasFee ?? false,
    onlinePayment: d.onlinePayment ?? null,
    digitised: d.digitised ?? false,
    electronicResult: d.electronicResult ?? false,
    sourceUpdatedAt: d.updatedAt ?? finishedAt ?? d.receivedAt,
  };
}

// ---------------------------------------------------------------------------
// Y, Yên Thế: seed 001's district figures for 2024-H1 (calendar: 2024-01-01 … 2024-06-30).
//
// The real report says received 2,429 in total = online 1,297 + in person and
// by post 1,089 + carried over 45, which does not add up (1,297 + 1,089 + 45 =
// 2,431). Computed from the dossiers, the figures must balance: here 2,386 new
// (1,297 + 1,000 in person + 89 postal) and 45 carried over, 2,431 in all,
// which leave as 2,395 resolved + 34 pending + 2 withdrawn or refused.

/** Dossiers Y received in the period, by index i = 0 … 2,385. */
export const Y_RECEIVED = 2_386;
/**
 * Channel by index: ONLINE for i < 1,297, IN_PERSON for 1,297 ≤ i < 2,297 (1,000), POSTAL after (89).
 * Outcome by index:
 *   0 … 2,238      resolved EARLY (2,239): due received + 10 days, finished received + 3 days
 *   2,239 … 2,338  resolved ON_TIME (100): finished at 10:00 on the due day (due at 17:00)
 *   2,339          resolved without a due date (on time)
 *   2,340 … 2,350  resolved LATE (11): due received + 5 days, finished received + 8 days
 *   2,351          REFUSED the day after reception (left during the period)
 *   2,352 … 2,371  open, due 2024-07-15 (20, pending within the deadline)
 *   2,372 … 2,381  PROCESSED on 2024-07-05, due 2024-07-10 (10, pending within the deadline at the period's end)
 *   2,382 … 2,385  open, due 2024-06-20 (4, pending overdue)
 * Flags by index: procedure PF (full-process eligible) for i < 1,500, PP after; full-process online
 * for i < 1,200; fee for even i (1,193), paid online when also online (even i < 1,297: 649);
 * digitised for i < 2,346; electronic result for i < 1,800 and for 2,372 … 2,381.
 * Received on 2024-01-02 + (i mod 150) days at 08:00: 2024-05-30 at the latest.
 */
function yearOneBulk(): Dossier[] {
  const out: Dossier[] = [];
  const firstDay = vn('2024-01-02 08:00');
  for (let i = 0; i < Y_RECEIVED; i++) {
    const receivedAt = addDays(firstDay, i % 150);
    const channel: DossierChannel = i < 1_297 ? 'ONLINE' : i < 2_297 ? 'IN_PERSON' : 'POSTAL';
    const hasFee = i % 2 === 0;
    const base = {
      code: `Y-${String(i).padStart(4, '0')}`,
      unitCode: Y,
      procedureCode: i < 1_500 ? PF : PP,
      channel,
      receivedAt,
      fullProcessOnline: i < 1_200,
      hasFee,
      onlinePayment: hasFee && channel === 'ONLINE' ? (i % 4 === 0 ? 'NATIONAL_PORTAL' : 'PROVINCE_GATEWAY') : null,
      digitised: i < 2_346,
      electronicResult: i < 1_800 || (i >= 2_372 && i <= 2_381),
    } as const;
    if (i <= 2_238) {
      const dueAt = atHour(addDays(receivedAt, 10), 17);
      out.push(dossier({ ...base, status: 'RETURNED', dueAt, finishedAt: addDays(receivedAt, 3) }));
    } else if (i <= 2_338) {
      const dueAt = atHour(addDays(receivedAt, 10), 17);
      out.push(dossier({ ...base, status: 'PROCESSED', dueAt, finishedAt: atHour(dueAt, 10) }));
    } else if (i === 2_339) {
      out.push(dossier({ ...base, status: 'PROCESSED', dueAt: null, finishedAt: addDays(receivedAt, 2) }));
    } else if (i <= 2_350) {
      const dueAt = atHour(addDays(receivedAt, 5), 17);
      out.push(dossier({ ...base, status: 'PROCESSED', dueAt, finishedAt: atHour(addDays(receivedAt, 8), 9) }));
    } else if (i === 2_351) {
      const dueAt = addDays(receivedAt, 10);
      out.push(dossier({ ...base, status: 'REFUSED', dueAt, updatedAt: addDays(receivedAt, 1) }));
    } else if (i <= 2_371) {
      out.push(dossier({ ...base, status: 'PROCESSING', dueAt: vn('2024-07-15 17:00') }));
    } else if (i <= 2_381) {
      const [dueAt, finishedAt] = [vn('2024-07-10 17:00'), vn('2024-07-05 10:00')];
      out.push(dossier({ ...base, status: 'PROCESSED', dueAt, finishedAt }));
    } else {
      out.push(dossier({ ...base, status: 'SUPPLEMENT_REQUESTED', dueAt: vn('2024-06-20 17:00') }));
    }
  }
  return out;
}

/**
 * Y's dossiers outside the received bulk:
 * - 45 carried over from December 2023: 44 RETURNED early on 2024-01-05 (due 2024-01-10) and one
 *   WITHDRAWN on 2024-01-08 (left during the period). They carry every flag (PF, full-process
 *   online, fee paid online, digitised) but no electronic result, and count in none of the
 *   received figures.
 * - history that counts nowhere in 2024-H1: 20 received 2023-11-01 and resolved 2023-11-10;
 *   3 received 2023-12-01 and withdrawn 2023-12-05 (left before the period); 5 received
 *   2024-07-02, after it.
 */
function yearOneOthers(): Dossier[] {
  const out: Dossier[] = [];
  const flags = { fullProcessOnline: true, hasFee: true, onlinePayment: 'NATIONAL_PORTAL', digitised: true } as const;
  const common = { unitCode: Y, procedureCode: PF, channel: 'ONLINE', ...flags } as const;
  for (let i = 0; i < 44; i++) {
    const [receivedAt, dueAt, finishedAt] = [vn('2023-12-20 08:00'), vn('2024-01-10 17:00'), vn('2024-01-05 10:00')];
    out.push(dossier({ ...common, code: `Y-C${i}`, status: 'RETURNED', receivedAt, dueAt, finishedAt }));
  }
  out.push(
    dossier({
      ...common,
      code: 'Y-C44',
      status: 'WITHDRAWN',
      receivedAt: vn('2023-12-20 08:00'),
      dueAt: vn('2024-01-10 17:00'),
      updatedAt: vn('2024-01-08 09:00'),
    }),
  );
  for (let i = 0; i < 20; i++) {
    const [receivedAt, dueAt, finishedAt] = [vn('2023-11-01 08:00'), vn('2023-11-20 17:00'), vn('2023-11-10 10:00')];
    out.push(dossier({ ...common, code: `Y-H${i}`, status: 'PROCESSED', receivedAt, dueAt, finishedAt }));
  }
  for (let i = 0; i < 3; i++) {
    const [receivedAt, dueAt, updatedAt] = [vn('2023-12-01 08:00'), vn('2023-12-15 17:00'), vn('2023-12-05 09:00')];
    out.push(dossier({ ...common, code: `Y-W${i}`, status: 'WITHDRAWN', receivedAt, dueAt, updatedAt }));
  }
  for (let i = 0; i < 5; i++) {
    const [receivedAt, dueAt] = [vn('2024-07-02 08:00'), vn('2024-07-20 17:00')];
    out.push(dossier({ ...common, code: `Y-A${i}`, status: 'RECEIVED', receivedAt, dueAt }));
  }
  return out;
}

// ---------------------------------------------------------------------------
// TC, Liên Chung: one dossier per case (the test works out each figure from this table).
//
//      received          status      due               finished / left   channel    proc fpo fee pay  dig ele
// c1   2024-03-01 09:00  PROCESSED   2024-03-15 17:00  2024-03-15 23:59  ONLINE     PF   y   y   NAT  y   y
// c2   2024-03-01 09:30  RETURNED    2024-03-15 17:00  2024-03-16 00:00  ONLINE     PF   -   y   -    y   -
// c3   2024-04-01 08:00  PROCESSED   none              2024-04-02 10:00  IN_PERSON  PP   y   -   -    -   y
// c4   2024-04-03 08:00  PROCESSED   2024-04-10 17:00  2024-04-09 16:00  POSTAL     PN   -   y   PROV y   -
// c5   2023-12-10 08:00  WITHDRAWN   2023-12-20 17:00  left 2023-12-20   ONLINE     PF   y   -   -    y   -
// c6   2023-12-11 08:00  WITHDRAWN   2023-12-28 17:00  left 2024-02-01   IN_PERSON  PP   -   -   -    -   -
// c7   2024-05-02 08:00  REFUSED     2024-05-10 17:00  left 2024-05-03   ONLINE     PF   y   y   -    y   -
// c8   2024-06-10 08:00  STOPPED     2024-06-25 17:00  left 2024-07-10   IN_PERSON  PN   -   -   -    -   -
// c9   2023-11-01 08:00  STOPPED     2023-11-15 17:00  left 2023-11-20   IN_PERSON  PN   -   -   -    -   -
// c10  2023-12-25 08:00  PROCESSED   2024-01-05 17:00  2024-01-01 00:00  ONLINE     PF   y   y   NAT  y   y
// c11  2023-12-26 08:00  PROCESSED   2024-01-05 17:00  2023-12-31 23:59  ONLINE     PF   y   y   NAT  y   y
// c12  2024-06-20 08:00  PROCESSED   2024-06-30 17:00  2024-07-01 00:00  ONLINE     PF   y   y   PROV y   y
// c13  2024-06-21 08:00  RECEIVED    2024-07-01 00:00  open              POSTAL     PP   -   y   -    -   -
// c14  2023-12-28 08:00  PROCESSED   2024-01-15 17:00  2024-07-02 10:00  ONLINE     PF   y   y   NAT  y   y
// c15  2024-04-05 08:00  REFUSED     2024-04-15 17:00  2024-04-06 09:00  IN_PERSON  PN   -   -   -    -   -
//
// c1 / c2: finished at 23:59 on the due day is on time, at 00:00 the next day late (in UTC both
// fall on the due day). c3: PARTIAL procedure with the full-process flag set: eligible for nothing.
// c14: open across the whole of 2024-H1 (received before it, finished after it). c15: refused with a
// finish time (and so an outcome): closed, but not resolved.

const TC_DOSSIERS: Dossier[] = [
  dossier({
    code: 'c1',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2024-03-01 09:00'),
    dueAt: vn('2024-03-15 17:00'),
    finishedAt: vn('2024-03-15 23:59'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'NATIONAL_PORTAL',
    digitised: true,
    electronicResult: true,
  }),
  dossier({
    code: 'c2',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'RETURNED',
    receivedAt: vn('2024-03-01 09:30'),
    dueAt: vn('2024-03-15 17:00'),
    finishedAt: vn('2024-03-16 00:00'),
    hasFee: true,
    digitised: true,
  }),
  dossier({
    code: 'c3',
    unitCode: TC,
    procedureCode: PP,
    channel: 'IN_PERSON',
    status: 'PROCESSED',
    receivedAt: vn('2024-04-01 08:00'),
    dueAt: null,
    finishedAt: vn('2024-04-02 10:00'),
    fullProcessOnline: true,
    electronicResult: true,
  }),
  dossier({
    code: 'c4',
    unitCode: TC,
    procedureCode: PN,
    channel: 'POSTAL',
    status: 'PROCESSED',
    receivedAt: vn('2024-04-03 08:00'),
    dueAt: vn('2024-04-10 17:00'),
    finishedAt: vn('2024-04-09 16:00'),
    hasFee: true,
    onlinePayment: 'PROVINCE_GATEWAY',
    digitised: true,
  }),
  dossier({
    code: 'c5',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'WITHDRAWN',
    receivedAt: vn('2023-12-10 08:00'),
    dueAt: vn('2023-12-20 17:00'),
    updatedAt: vn('2023-12-20 09:00'),
    fullProcessOnline: true,
    digitised: true,
  }),
  dossier({
    code: 'c6',
    unitCode: TC,
    procedureCode: PP,
    channel: 'IN_PERSON',
    status: 'WITHDRAWN',
    receivedAt: vn('2023-12-11 08:00'),
    dueAt: vn('2023-12-28 17:00'),
    updatedAt: vn('2024-02-01 10:00'),
  }),
  dossier({
    code: 'c7',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'REFUSED',
    receivedAt: vn('2024-05-02 08:00'),
    dueAt: vn('2024-05-10 17:00'),
    updatedAt: vn('2024-05-03 09:00'),
    fullProcessOnline: true,
    hasFee: true,
    digitised: true,
  }),
  dossier({
    code: 'c8',
    unitCode: TC,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'STOPPED',
    receivedAt: vn('2024-06-10 08:00'),
    dueAt: vn('2024-06-25 17:00'),
    updatedAt: vn('2024-07-10 09:00'),
  }),
  dossier({
    code: 'c9',
    unitCode: TC,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'STOPPED',
    receivedAt: vn('2023-11-01 08:00'),
    dueAt: vn('2023-11-15 17:00'),
    updatedAt: vn('2023-11-20 09:00'),
  }),
  ...(['c10', 'c11'] as const).map((code) =>
    dossier({
      code,
      unitCode: TC,
      procedureCode: PF,
      channel: 'ONLINE',
      status: 'PROCESSED',
      receivedAt: code === 'c10' ? vn('2023-12-25 08:00') : vn('2023-12-26 08:00'),
      dueAt: vn('2024-01-05 17:00'),
      finishedAt: code === 'c10' ? vn('2024-01-01 00:00') : vn('2023-12-31 23:59'),
      fullProcessOnline: true,
      hasFee: true,
      onlinePayment: 'NATIONAL_PORTAL',
      digitised: true,
      electronicResult: true,
    }),
  ),
  dossier({
    code: 'c12',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2024-06-20 08:00'),
    dueAt: vn('2024-06-30 17:00'),
    finishedAt: vn('2024-07-01 00:00'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'PROVINCE_GATEWAY',
    digitised: true,
    electronicResult: true,
  }),
  dossier({
    code: 'c13',
    unitCode: TC,
    procedureCode: PP,
    channel: 'POSTAL',
    status: 'RECEIVED',
    receivedAt: vn('2024-06-21 08:00'),
    dueAt: vn('2024-07-01 00:00'),
    hasFee: true,
  }),
  dossier({
    code: 'c14',
    unitCode: TC,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2023-12-28 08:00'),
    dueAt: vn('2024-01-15 17:00'),
    finishedAt: vn('2024-07-02 10:00'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'NATIONAL_PORTAL',
    digitised: true,
    electronicResult: true,
  }),
  dossier({
    code: 'c15',
    unitCode: TC,
    procedureCode: PN,
    channel: 'IN_PERSON',
    status: 'REFUSED',
    receivedAt: vn('2024-04-05 08:00'),
    dueAt: vn('2024-04-15 17:00'),
    finishedAt: vn('2024-04-06 09:00'),
  }),
];

// ---------------------------------------------------------------------------
// TB, Việt Lập: the reporting month of June 2024 (2024-05-15 … 2024-06-14) against the calendar
// month (2024-06-01 … 2024-06-30). Procedure PP, no flags.
//
//      received (Vietnam)  UTC day of it  channel    status     due               finished
// b1   2024-05-14 23:30    05-14          ONLINE     PROCESSED  2024-05-28 17:00  2024-05-20 10:00 (early)
// b2   2024-05-15 06:00    05-14          ONLINE     PROCESSED  2024-06-14 17:00  2024-06-14 23:59 (on time)
// b3   2024-06-14 23:30    06-14          IN_PERSON  RECEIVED   2024-06-28 17:00  open
// b4   2024-06-15 00:10    06-14          POSTAL     RETURNED   2024-06-19 17:00  2024-06-20 10:00 (late)
// b5   2024-05-31 23:50    05-31          ONLINE     PROCESSED  2024-06-05 17:00  2024-06-01 00:05 (early)

const tb = (
  code: string,
  channel: DossierChannel,
  status: DossierStatus,
  received: string,
  due: string,
  finished: string | null,
) =>
  dossier({
    code,
    unitCode: TB,
    procedureCode: PP,
    channel,
    status,
    receivedAt: vn(received),
    dueAt: vn(due),
    finishedAt: finished === null ? null : vn(finished),
  });

const TB_DOSSIERS: Dossier[] = [
  tb('b1', 'ONLINE', 'PROCESSED', '2024-05-14 23:30', '2024-05-28 17:00', '2024-05-20 10:00'),
  tb('b2', 'ONLINE', 'PROCESSED', '2024-05-15 06:00', '2024-06-14 17:00', '2024-06-14 23:59'),
  tb('b3', 'IN_PERSON', 'RECEIVED', '2024-06-14 23:30', '2024-06-28 17:00', null),
  tb('b4', 'POSTAL', 'RETURNED', '2024-06-15 00:10', '2024-06-19 17:00', '2024-06-20 10:00'),
  tb('b5', 'ONLINE', 'PROCESSED', '2024-05-31 23:50', '2024-06-05 17:00', '2024-06-01 00:05'),
];

// ---------------------------------------------------------------------------
// TX, Ngọc Thiện (dissolved 2024-07-01):
// x1   2024-02-01 08:00  PROCESSED  due 2024-02-10 17:00  finished 2024-02-05 10:00 (early)  ONLINE
//      PF, full-process online, fee paid on the national portal, digitised, electronic result
// x2   2024-06-25 08:00  PROCESSING due 2024-07-10 17:00  open  IN_PERSON  PP, no flags

const TX_DOSSIERS: Dossier[] = [
  dossier({
    code: 'x1',
    unitCode: TX,
    procedureCode: PF,
    channel: 'ONLINE',
    status: 'PROCESSED',
    receivedAt: vn('2024-02-01 08:00'),
    dueAt: vn('2024-02-10 17:00'),
    finishedAt: vn('2024-02-05 10:00'),
    fullProcessOnline: true,
    hasFee: true,
    onlinePayment: 'NATIONAL_PORTAL',
    digitised: true,
    electronicResult: true,
  }),
  dossier({
    code: 'x2',
    unitCode: TX,
    procedureCode: PP,
    channel: 'IN_PERSON',
    status: 'PROCESSING',
    receivedAt: vn('2024-06-25 08:00'),
    dueAt: vn('2024-07-10 17:00'),
  }),
];

/** Every dossier of the fixture. */
export function fixtureDossiers(): Dossier[] {
  return [...yearOneBulk(), ...yearOneOthers(), ...TC_DOSSIERS, ...TB_DOSSIERS, ...TX_DOSSIERS];
}

/** Writes the fixture's units, procedures and dossiers into an empty store. */
export async function seedDossierFixture(db: Queryable): Promise<void> {
  await upsertUnits(db, UNITS);
  await upsertProcedures(db, PROCEDURES);
  const dossiers = fixtureDossiers();
  for (let i = 0; i < dossiers.length; i += 1_000) await upsertDossiers(db, dossiers.slice(i, i + 1_000));
}
