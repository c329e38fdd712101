/**
 * Dossiers, generated day by day. Each desk's dossiers of a day come from
 * their own random stream, and each dossier's whole life (reception,
 * processing, finish, hand-over, or withdrawal) is drawn when it is received;
 * what the one-stop-shop shows at a given moment is that life cut at the
 * moment (dossierWire). So the feed at any simulated time, and every change
 * as the clock advances, follow from the seed alone.
 */
import { CHANNEL, PAYMENT, STATUS, type DossierWire } from '../../one-stop-shop/contract.ts';
import { formatCompactLocal } from '../../common/wire.ts';
import { addWorkingDays, at, dayOf, isoDay, weekday } from './calendar.ts';
import { DISTRICT_SHARE_TO_COMMUNES, RATES, SHARES, WEEKDAY_WEIGHT, type LevelRates } from './calibration.ts';
import { personName, phoneNumber } from './names.ts';
import type { Province } from './province.ts';
import { Random, STREAM } from './random.ts';
import { AGENCY_MERGER, REORGANISATION, validOn, type GenUnit } from './units.ts';

/** A dossier's whole life; instants in seconds, 0 for what never happens. */
export interface DossierFacts {
  /** Index of the receiving unit. */
  desk: number;
  /** Vietnam day of reception. */
  day: number;
  /** 1-based number within the desk's day: the end of MaHoSo. */
  seq: number;
  procedure: number;
  channel: 1 | 2 | 3;
  receivedAt: number;
  dueAt: number;
  processingAt: number;
  finishedAt: number;
  returnedAt: number;
  /** Withdrawn (7) or refused (3) at closedAt instead of being finished. */
  closedStatus: 0 | 3 | 7;
  closedAt: number;
  fullProcess: boolean;
  fee: boolean;
  /** DuocThanhToanTrucTuyen: 1 national portal, 2 province gateway, 3 not paid online (0 when no fee). */
  payment: 0 | 1 | 2 | 3;
  digitised: boolean;
  electronicResult: boolean;
}

const HOUR = 3600;
const DAY = 86_400;

function levelRates(desk: GenUnit): LevelRates {
  return RATES[desk.desk!];
}

/** The three eras of the unit tree: rates change only between them. */
const eraOf = (day: number) => (day < AGENCY_MERGER ? 0 : day < REORGANISATION ? 1 : 2);
const rateCache = new WeakMap<Province, Map<number, number>>();

/** Expected dossiers per calendar day at a desk on a day (valid that day), before the weekday pattern. */
export function deskRate(province: Province, desk: GenUnit, day: number): number {
  let cache = rateCache.get(province);
  if (!cache) rateCache.set(province, (cache = new Map()));
  const key = desk.index * 3 + eraOf(day);
  let rate = cache.get(key);
  if (rate === undefined) {
    rate = computeRate(province, desk, day);
    cache.set(key, rate);
  }
  return rate;
}

function computeRate(province: Province, desk: GenUnit, day: number): number {
  const { districts, volume } = province.scale;
  let rate: number;
  if (desk.role === 'agency') {
    const open = province.desks.filter((d) => d.role === 'agency' && validOn(d, day));
    const share = desk.deskWeight / open.reduce((sum, d) => sum + d.deskWeight, 0);
    const districtPart = day >= REORGANISATION ? (1 - DISTRICT_SHARE_TO_COMMUNES) * RATES.DISTRICT.perDay : 0;
    rate = (RATES.PROVINCE.perDay + districtPart) * districts * share;
  } else if (desk.role === 'merged-commune') {
    const inDistrict = province.desks.filter((d) => d.role === 'merged-commune' && d.district === desk.district);
    rate =
      desk.deskWeight * RATES.COMMUNE.perDay + (DISTRICT_SHARE_TO_COMMUNES * RATES.DISTRICT.perDay) / inDistrict.length;
  } else {
    rate = levelRates(desk).perDay;
  }
  return rate * volume;
}

/** Reception time: counters open 7:30–17:00; online filings come at any hour, mostly by day. */
function receptionTime(random: Random, day: number, channel: number): number {
  if (channel !== CHANNEL.ONLINE || random.chance(0.6)) return at(day, 7, 30) + random.int(0, 9.5 * HOUR - 1);
  return at(day, 0) + random.int(0, DAY - 1);
}

/** A time during office hours on a day, not before `notBefore`. */
function officeTime(random: Random, day: number, notBefore: number): number {
  return Math.max(at(day, 8) + random.int(0, 9 * HOUR - 1), notBefore + random.int(300, 2 * HOUR));
}

/** One dossier's life. */
function draw(province: Province, random: Random, desk: GenUnit, day: number, seq: number): DossierFacts {
  const rates = levelRates(desk);
  // Merged communes also took over part of the former districts' procedures.
  const letter =
    desk.desk === 'PROVINCE'
      ? 'TINH'
      : desk.desk === 'DISTRICT' || (desk.role === 'merged-commune' && random.chance(0.2))
        ? 'HUYEN'
        : 'XA';
  const offline = random.chance(desk.role === 'merged-commune' ? 0.03 : rates.offlineProcedureShare);
  const catalogue = province.choices[letter][offline ? 'offline' : 'online'];
  const procedure = catalogue.procedures[random.weighted(catalogue.weights)]!;

  const online = !offline && random.chance(SHARES.onlineAmongOnlineCapable);
  const channel = online
    ? CHANNEL.ONLINE
    : random.chance(SHARES.postalAmongOffline)
      ? CHANNEL.POSTAL
      : CHANNEL.IN_PERSON;
  const receivedAt = receptionTime(random, day, channel);
  const dueDay = addWorkingDays(day, procedure.workingDays[letter]!);
  const dueAt = at(dueDay, 17);
  const fee = procedure.CoPhiLePhi && !random.chance(SHARES.feeExempt);
  const payment = !fee
    ? 0
    : random.chance(SHARES.paidOnlineAmongFees)
      ? random.chance(SHARES.nationalPortalAmongPaid)
        ? PAYMENT.NATIONAL_PORTAL
        : PAYMENT.PROVINCE_GATEWAY
      : PAYMENT.NOT_PAID_ONLINE;
  const facts: DossierFacts = {
    desk: desk.index,
    day,
    seq,
    procedure: procedure.index,
    channel,
    receivedAt,
    dueAt,
    processingAt: 0,
    finishedAt: 0,
    returnedAt: 0,
    closedStatus: 0,
    closedAt: 0,
    fullProcess: online && procedure.MucDoDVC === 'TOAN_TRINH',
    fee,
    payment,
    digitised: random.chance(SHARES.digitised),
    electronicResult: random.chance(SHARES.electronicResult),
  };

  const closure = random.next();
  if (closure < SHARES.withdrawn + SHARES.refused) {
    facts.closedStatus = closure < SHARES.withdrawn ? STATUS.WITHDRAWN : STATUS.REFUSED;
    facts.closedAt = receivedAt + random.int(HOUR, 3 * DAY);
    return facts;
  }
  const [early, onTime] = rates.outcomes;
  const outcome = random.next();
  let finishedAt = 0;
  if (outcome < early && dueDay > day) {
    for (let attempt = 0; attempt < 4 && !finishedAt; attempt++) {
      // The day comes from the processing time; the hour is an office hour of that day.
      const day = dayOf(receivedAt + Math.round(random.exponential(rates.earlyMeanDays) * DAY));
      if (day < dueDay) finishedAt = officeTime(random, day, receivedAt);
    }
    finishedAt ||= officeTime(random, dueDay - 1, receivedAt);
    if (dayOf(finishedAt) >= dueDay) finishedAt = 0; // no room to be early: on time instead
  }
  if (!finishedAt && outcome < early + onTime) finishedAt = officeTime(random, dueDay, receivedAt);
  if (!finishedAt && outcome >= early + onTime) {
    finishedAt = officeTime(random, dueDay + 1 + Math.min(20, Math.floor(random.exponential(2.5))), receivedAt);
  }
  if (!finishedAt) finishedAt = officeTime(random, dueDay, receivedAt);
  if (dayOf(finishedAt) > dueDay && outcome < early + onTime) finishedAt = at(dueDay, 16, 59);
  facts.finishedAt = finishedAt;
  facts.processingAt = Math.min(
    receivedAt + random.int(600, 4 * HOUR),
    receivedAt + Math.floor((finishedAt - receivedAt) / 2),
  );
  // An electronic result goes out with the finish; a paper one is handed over at the counter, in office hours.
  facts.returnedAt = facts.electronicResult
    ? finishedAt + random.int(60, HOUR)
    : officeTime(random, dayOf(finishedAt) + random.int(0, 2), finishedAt);
  return facts;
}

/** Every dossier received on a day, desk by desk, in a fixed order. */
export function* dossiersOfDay(province: Province, day: number): Generator<DossierFacts> {
  const dayWeight = WEEKDAY_WEIGHT[weekday(day)]!;
  for (const desk of province.desks) {
    if (!validOn(desk, day)) continue;
    const random = new Random(province.seed, STREAM.dossierDay, desk.index, day);
    const expected = deskRate(province, desk, day) * dayWeight * (0.8 + 0.4 * random.next());
    const count = Math.floor(expected + random.next());
    for (let seq = 1; seq <= count; seq++) yield draw(province, random, desk, day, seq);
  }
}

/** Every dossier received on days [from, to). */
export function* dossiersBetween(province: Province, from: number, to: number): Generator<DossierFacts> {
  for (let day = from; day < to; day++) yield* dossiersOfDay(province, day);
}

/** MaHoSo: the desk's code turned around, the day, the number: `H40.12.00.001-230105-0003`. */
export function dossierCode(province: Province, facts: Pick<DossierFacts, 'desk' | 'day' | 'seq'>): string {
  const [a, b, c, suffix] = province.units[facts.desk]!.code.split('.');
  const yymmdd = isoDay(facts.day).slice(2).replaceAll('-', '');
  return `${suffix}.${c}.${b}.${a}-${yymmdd}-${String(facts.seq).padStart(4, '0')}`;
}

/** The latest event of a dossier's life at or before `now`: its NgayCapNhat and status then. */
export function stateAt(facts: DossierFacts, now: number): { updatedAt: number; status: number } | null {
  if (facts.receivedAt > now) return null;
  if (facts.closedStatus) {
    return facts.closedAt <= now
      ? { updatedAt: facts.closedAt, status: facts.closedStatus }
      : { updatedAt: facts.receivedAt, status: STATUS.RECEIVED };
  }
  if (facts.returnedAt <= now) return { updatedAt: facts.returnedAt, status: STATUS.RETURNED };
  if (facts.finishedAt <= now) return { updatedAt: facts.finishedAt, status: STATUS.PROCESSED };
  if (facts.processingAt <= now) return { updatedAt: facts.processingAt, status: STATUS.PROCESSING };
  return { updatedAt: facts.receivedAt, status: STATUS.RECEIVED };
}

/** The dossier as the one-stop-shop shows it at `now`; null before it was received. */
export function dossierWire(province: Province, facts: DossierFacts, now: number): DossierWire | null {
  const state = stateAt(facts, now);
  if (!state) return null;
  const applicant = new Random(province.seed, STREAM.applicant, facts.desk, facts.day, facts.seq);
  const finished = facts.finishedAt > 0 && facts.finishedAt <= now;
  return {
    MaHoSo: dossierCode(province, facts),
    MaTTHC: province.procedures[facts.procedure]!.MaTTHC,
    MaDonVi: province.units[facts.desk]!.code,
    KenhThucHien: facts.channel,
    ChuHoSo: personName(applicant, applicant.chance(0.52) ? 'NU' : 'NAM'),
    SoDienThoai: phoneNumber(applicant),
    NgayTiepNhan: formatCompactLocal(facts.receivedAt * 1000),
    NgayHenTra: formatCompactLocal(facts.dueAt * 1000),
    NgayKetThucXuLy: finished ? formatCompactLocal(facts.finishedAt * 1000) : '',
    NgayTra: facts.returnedAt > 0 && facts.returnedAt <= now ? formatCompactLocal(facts.returnedAt * 1000) : '',
    TrangThaiHoSo: state.status,
    ToanTrinh: facts.fullProcess ? 1 : 0,
    CoPhiLePhi: facts.fee ? 1 : 0,
    DuocThanhToanTrucTuyen: facts.payment,
    HoSoCoThanhPhanSoHoa: facts.digitised ? 1 : 0,
    KetQuaDienTu: finished && facts.electronicResult ? 1 : 0,
    NgayCapNhat: formatCompactLocal(state.updatedAt * 1000),
  };
}
