/**
 * PAR INDEX scores (Chỉ số cải cách hành chính): for the criteria whose
 * scoring the seeds document, the points an indicator's value earns out of the
 * criterion's maximum (IndicatorScore). A criterion without a documented rule
 * gets no score (null), rather than a guess. Maxima and rules come from seed
 * 002 (Hưng Yên's 2024 plan to improve its PAR INDEX): the points each
 * criterion earned in 2023 ("được 1,4976/1,5 điểm") and, for several, the
 * level that earns the maximum. A score is computed for any period (PAR INDEX
 * itself scores calendar years), as the full double: the seed rounds to four
 * decimals, the hub does not.
 */
import { criterionAt } from './catalog.ts';
import type { IndicatorEvaluation } from './evaluate.ts';

export interface ScoreRule {
  /** The PAR INDEX criterion code. */
  criterion: string;
  max: number;
  /** How points follow from the value, in words, with its source. */
  rule: string;
  points(value: number): number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

// PROPORTIONAL (3.4.1, 3.4.2, 3.4.3): seed 002's points are fractions of the maximum to four decimals (1,4976/1,5,
// 1,4968/1,5, 0,9997/1), which no step scale gives and which are the on-time rates a province reports (99.84 %,
// 99.79 %, 99.97 %): the maximum scaled by the rate.
const proportional = (criterion: string, max: number, quote: string): ScoreRule => ({
  criterion,
  max,
  rule: `PROPORTIONAL: points = ${max} × rate ÷ 100 (seed 002: “${quote}”).`,
  points: (value) => max * clamp01(value / 100),
});

// TO_THRESHOLD (4.1.3, 7.3.6): the seed states the level that earns the maximum; the proportional part below it is
// read from its fractional points (0,9278/1 for 4.1.3, 1,2233/1,5 for 7.3.6), the same reading as PROPORTIONAL.
const toThreshold = (criterion: string, max: number, level: number, quote: string): ScoreRule => ({
  criterion,
  max,
  rule: `TO_THRESHOLD: points = ${max} × min(1, value ÷ ${level}); the maximum from ${level} % on (seed 002: “${quote}”).`,
  points: (value) => max * clamp01(value / level),
});

// Not scored, and why: 7.3.7 (online payment) needs two conditions at once, and the hub sees only one (“100% TTHC có
// yêu cầu phí, lệ phí được cung cấp, tích hợp thanh toán trực tuyến …; 50% hồ sơ … được thanh toán trực tuyến qua Cổng
// dịch vụ công quốc gia”); 5.6, 6.1.1, 6.3.1 and 6.3.2 have maxima in seed 002 (0,5; 1; 0,25; 0,75) but no level or
// rule that turns a value into points. The national service index (SERVICE_INDEX, Decision 766/QĐ-TTg) is not PAR
// INDEX and has no score here.
export const SCORE_RULES: ReadonlyMap<string, ScoreRule> = new Map(
  [
    // Seed 002, line 44: “3.4.1. Tỷ lệ hồ sơ TTHC do CQCM cấp tỉnh tiếp nhận trong năm được giải quyết đúng hạn”
    // được 1,4976/1,5 điểm.
    proportional(
      '3.4.1',
      1.5,
      '3.4.1. Tỷ lệ hồ sơ TTHC do CQCM cấp tỉnh tiếp nhận trong năm được giải quyết đúng hạn” được 1,4976/1,5 điểm',
    ),
    // Seed 002, line 46: “3.4.2 … do UBND cấp huyện …” được 1,4968/1,5 điểm.
    proportional(
      '3.4.2',
      1.5,
      '3.4.2. Tỷ lệ hồ sơ TTHC do UBND cấp huyện tiếp nhận trong năm được giải quyết đúng hạn” được 1,4968/1,5 điểm',
    ),
    // Seed 002, line 48: “3.4.3 … do UBND cấp xã …” được 0,9997/1 điểm.
    proportional(
      '3.4.3',
      1,
      '3.4.3. Tỷ lệ hồ sơ TTHC do UBND cấp xã tiếp nhận trong năm được giải quyết đúng hạn” được 0,9997/1 điểm',
    ),
    // Seed 002, lines 82 and 88–90: 0,9278/1 điểm in 2023; the maximum for “giảm tối thiểu bình quân toàn tỉnh 10%
    // đơn vị sự nghiệp công lập so với năm 2021”. A growth (negative value) earns nothing.
    toThreshold(
      '4.1.3',
      1,
      10,
      '4.1.3. Tỷ lệ giảm số lượng đơn vị sự nghiệp công lập so với năm 2021” được 0,9278/1 điểm; … đạt mục tiêu giảm tối thiểu bình quân toàn tỉnh 10%',
    ),
    // Seed 002, lines 148–150 and 164: 1,2233/1,5 điểm in 2023; the maximum for “85% hồ sơ trực tuyến toàn trình
    // được tiếp nhận, xử lý trên tổng số hồ sơ phát sinh của các TTHC được cung cấp dịch vụ công trực tuyến toàn trình”.
    toThreshold(
      '7.3.6',
      1.5,
      85,
      '7.3.6. Tỷ lệ hồ sơ trực tuyến toàn trình” được 1,2233/1,5 điểm; … 85% hồ sơ trực tuyến toàn trình',
    ),
  ].map((rule) => [rule.criterion, rule]),
);

export interface IndicatorScore {
  criterion: string;
  points: number;
  max: number;
  rule: string;
}

/** The PAR INDEX score of an evaluated value; null without a value or without a documented rule for its criterion. */
export function scoreOf(v: IndicatorEvaluation): IndicatorScore | null {
  if (v.value === null) return null;
  const criterion = criterionAt(v.definition, v.unitLevel);
  const rule = criterion === null ? undefined : SCORE_RULES.get(criterion);
  if (!rule) return null;
  return { criterion: rule.criterion, points: rule.points(v.value), max: rule.max, rule: rule.rule };
}
