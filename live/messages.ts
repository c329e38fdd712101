/**
 * The words of live alerts, in Vietnamese (with diacritics, NFC) and English,
 * from the values behind them. Numbers follow each language's conventions
 * (87,5% and 1.234 in Vietnamese; 87.5% and 1,234 in English), rounded to two
 * decimals for reading: the exact figures travel in the alert's values.
 */
import type { SourceName } from '../connectors/feed.ts';
import { formatIsoLocal, vietnamDay } from '../connectors/common/wire.ts';
import type { IndicatorDirection, IndicatorUnit } from '../indicators/catalog.ts';

export interface Message {
  vi: string;
  en: string;
}

const nfc = (message: Message): Message => ({ vi: message.vi.normalize('NFC'), en: message.en.normalize('NFC') });

const numberVi = (n: number) => n.toLocaleString('vi-VN', { maximumFractionDigits: 2 });
const numberEn = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

const UNIT_WORDS: Record<IndicatorUnit, { vi: string; en: string } | null> = {
  PERCENT: null,
  DOSSIERS: { vi: 'hồ sơ', en: 'dossiers' },
  PEOPLE: { vi: 'người', en: 'people' },
  UNITS: { vi: 'đơn vị', en: 'units' },
  VND: { vi: 'đồng', en: 'VND' },
  DOSSIERS_PER_PERSON: { vi: 'hồ sơ/người', en: 'dossiers per person' },
  VND_PER_DOSSIER: { vi: 'đồng/hồ sơ', en: 'VND per dossier' },
};

/** A value in its unit: 87,5% / 87.5%, 12 hồ sơ / 12 dossiers. */
export function quantity(value: number, unit: IndicatorUnit): Message {
  const words = UNIT_WORDS[unit];
  if (!words) return { vi: `${numberVi(value)}%`, en: `${numberEn(value)}%` };
  return { vi: `${numberVi(value)} ${words.vi}`, en: `${numberEn(value)} ${words.en}` };
}

export interface TargetCrossing {
  indicatorVi: string;
  indicatorEn: string;
  unitName: string;
  period: string;
  unit: IndicatorUnit;
  direction: IndicatorDirection;
  value: number;
  previousValue: number;
  target: number;
  /** True: the value now meets the target; false: it no longer does. */
  meets: boolean;
}

/**
 * "Tỷ lệ … của Xã Yên Thế (2026) giảm xuống 87,5%, dưới chỉ tiêu 95%" /
 * "On-time rate of Xã Yên Thế (2026) fell to 87.5%, below the 95% target".
 * The verb follows the change; the relation to the target, the indicator's
 * direction (a lower-is-better value misses by being above its target).
 */
export function targetCrossingMessage(c: TargetCrossing): Message {
  const rose = c.value > c.previousValue;
  const value = quantity(c.value, c.unit);
  const target = quantity(c.target, c.unit);
  const verbVi = rose ? 'tăng lên' : 'giảm xuống';
  const verbEn = rose ? 'rose to' : 'fell to';
  let relationVi: string;
  let relationEn: string;
  if (c.meets) {
    relationVi = `đạt chỉ tiêu ${target.vi}`;
    relationEn = `meeting the ${target.en} target`;
  } else if (c.direction === 'LOWER_IS_BETTER') {
    relationVi = `vượt chỉ tiêu ${target.vi}`;
    relationEn = `above the ${target.en} target`;
  } else {
    relationVi = `dưới chỉ tiêu ${target.vi}`;
    relationEn = `below the ${target.en} target`;
  }
  return nfc({
    vi: `${c.indicatorVi} của ${c.unitName} (${c.period}) ${verbVi} ${value.vi}, ${relationVi}`,
    en: `${c.indicatorEn} of ${c.unitName} (${c.period}) ${verbEn} ${value.en}, ${relationEn}`,
  });
}

export interface Overdue {
  dossierCode: string;
  procedureName: string | null;
  unitName: string;
  dueAt: Date;
  daysOverdue: number;
}

/** "Hồ sơ … (Đăng ký khai sinh) của UBND xã Tân Sỏi đã quá hạn 2 ngày (hẹn trả 13/06/2024)". */
export function overdueMessage(o: Overdue): Message {
  const [year, month, day] = vietnamDay(o.dueAt).split('-');
  const procedure = o.procedureName ? ` (${o.procedureName})` : '';
  return nfc({
    vi: `Hồ sơ ${o.dossierCode}${procedure} của ${o.unitName} đã quá hạn ${o.daysOverdue} ngày (hẹn trả ${day}/${month}/${year})`,
    en: `Dossier ${o.dossierCode}${procedure} of ${o.unitName} is ${o.daysOverdue} day${o.daysOverdue === 1 ? '' : 's'} overdue (due ${year}-${month}-${day})`,
  });
}

export const SOURCE_NAMES_VI: Record<SourceName, string> = {
  ONE_STOP_SHOP: 'Hệ thống thông tin giải quyết thủ tục hành chính (một cửa)',
  CADRE_DB: 'Cơ sở dữ liệu cán bộ, công chức, viên chức',
  BUDGET: 'Hệ thống quản lý ngân sách',
};
export const SOURCE_NAMES_EN: Record<SourceName, string> = {
  ONE_STOP_SHOP: 'one-stop-shop system',
  CADRE_DB: 'cadre database',
  BUDGET: 'budget system',
};

const localTime = (at: Date) => formatIsoLocal(at).replace('T', ' ').slice(0, 16);

/** A source not refreshed within its limit. */
export function staleMessage(source: SourceName, lastSuccessAt: Date | null, staleAfterMinutes: number): Message {
  const limitVi = `quá ${numberVi(staleAfterMinutes)} phút`;
  const limitEn = `over ${numberEn(staleAfterMinutes)} minutes`;
  return nfc(
    lastSuccessAt
      ? {
          vi: `Dữ liệu từ ${SOURCE_NAMES_VI[source]} không được cập nhật từ ${localTime(lastSuccessAt)} (${limitVi})`,
          en: `Data from the ${SOURCE_NAMES_EN[source]} has not been refreshed since ${localTime(lastSuccessAt)} Vietnam time (${limitEn})`,
        }
      : {
          vi: `Chưa đồng bộ được dữ liệu nào từ ${SOURCE_NAMES_VI[source]}`,
          en: `No sync from the ${SOURCE_NAMES_EN[source]} has succeeded yet`,
        },
  );
}

/** The breaker of a source opened: calls fail fast until a probe succeeds. */
export function circuitOpenMessage(source: SourceName): Message {
  return nfc({
    vi: `Tạm ngắt kết nối tới ${SOURCE_NAMES_VI[source]}: các lần gọi gần đây liên tiếp thất bại`,
    en: `The circuit to the ${SOURCE_NAMES_EN[source]} is open: recent calls failed repeatedly, so calls fail fast`,
  });
}

export interface FeedRejecting {
  source: SourceName;
  feed: string;
  /** Records the feed's last pass read, quarantined and stored with flaws. */
  read: number;
  rejected: number;
  flawed: number;
  thresholdPercent: number;
}

/** A feed whose last pass quarantined (or flagged) more than the threshold's share of what it read. */
export function feedRejectingMessage(f: FeedRejecting): Message {
  const share = (n: number) => (f.read === 0 ? 0 : Math.round((n / f.read) * 10_000) / 100);
  return nfc({
    vi: `Nguồn dữ liệu ${f.feed} (${SOURCE_NAMES_VI[f.source]}): lần đồng bộ gần nhất cách ly ${numberVi(f.rejected)}/${numberVi(f.read)} bản ghi (${numberVi(share(f.rejected))}%), lưu kèm lỗi ${numberVi(f.flawed)} (${numberVi(share(f.flawed))}%), vượt ngưỡng ${numberVi(f.thresholdPercent)}%`,
    en: `Feed ${f.feed} of the ${SOURCE_NAMES_EN[f.source]}: its last pass quarantined ${numberEn(f.rejected)} of ${numberEn(f.read)} records (${numberEn(share(f.rejected))}%) and stored ${numberEn(f.flawed)} with flaws (${numberEn(share(f.flawed))}%), above the ${numberEn(f.thresholdPercent)}% threshold`,
  });
}

export interface QualityViolated {
  ruleCode: string;
  ruleNameVi: string;
  leftSide: string;
  rightSide: string;
  operator: 'EQUAL_TO' | 'LESS_THAN_OR_EQUAL_TO';
  count: number;
  period: string;
  unitName: string;
  sampleVi: string;
  sampleEn: string;
}

/** A data-quality rule that held and now does not. */
export function qualityMessage(q: QualityViolated): Message {
  const operator = q.operator === 'EQUAL_TO' ? '=' : '≤';
  return nfc({
    vi: `Quy tắc chất lượng dữ liệu “${q.ruleNameVi}” bị vi phạm ${numberVi(q.count)} lần trong ${q.unitName} (${q.period}). Ví dụ: ${q.sampleVi}`,
    en: `Data-quality rule ${q.ruleCode} (${q.leftSide} ${operator} ${q.rightSide}) is broken ${numberEn(q.count)} time${q.count === 1 ? '' : 's'} in ${q.unitName} (${q.period}). For example: ${q.sampleEn}`,
  });
}
