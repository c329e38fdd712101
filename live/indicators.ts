/**
 * Indicator changes for the watched (unit, period) pairs, each on its basis
 * (as it was, or restated on the tree of a date: store/live-watches.ts): what the producer
 * last reported of each pair is kept in live_state (its "baseline"), so a
 * change is reported once, by whichever instance's pass made it, even when
 * passes of two sources overlap or run on two instances. Both steps
 * (seedBaselines at a pass's start, indicatorChanges at its end) run in one
 * transaction under a lock of their own, evaluation included: a pass end that
 * evaluated before another's last commit cannot then overwrite the newer
 * baseline with older figures.
 */
import type { SourceName } from '../connectors/feed.ts';
import { INDICATOR_CATALOG, type IndicatorDefinition } from '../indicators/catalog.ts';
import { evaluateIndicatorsOfUnits, type IndicatorEvaluation } from '../indicators/evaluate.ts';
import { parsePeriod, type Period } from '../indicators/period.ts';
import { meetsTarget } from '../indicators/target.ts';
import type { Queryable } from '../store/db.ts';
import { AS_WAS, basisKey, type HierarchyBasis } from '../store/indicators/basis.ts';
import { readEffectiveTargets } from '../store/indicators/targets.ts';
import {
  deleteLiveState,
  readLiveState,
  readLiveStateWithPrefix,
  writeLiveState,
  type AlertPayload,
  type AlertValue,
  type LiveEventDraft,
} from '../store/live-events.ts';
import { activeLiveWatches, type LiveWatch } from '../store/live-watches.ts';
import { findUnitsByCodes, type UnitRow } from '../store/units.ts';
import type { Logger } from '../core/logger.ts';
import { targetCrossingMessage } from './messages.ts';

/** The figures a baseline keeps of a value: enough to compare it and to decide whether it met its target. */
interface Figures {
  n: number;
  d: number | null;
  v: number | null;
}

interface Baseline {
  /** When the figures were read (ISO). */
  at: string;
  values: Record<string, Figures>;
}

export const BASELINE_PREFIX = 'indicators|';
// An AS_WAS pair keeps the key it had before the basis existed, so its baseline survives the upgrade.
const baselineKey = (watch: LiveWatch) =>
  `${BASELINE_PREFIX}${watch.unitCode}|${watch.period}${watch.hierarchyDate ? `|${watch.hierarchyDate}` : ''}`;

/**
 * A miss further below (or above) its target than this share of the target is
 * CRITICAL, a narrower one a WARNING: falling from 98.5 % to 97 % on time is
 * worth a look, to 85 % an emergency. A judgement, not a rule of the seeds;
 * a target of 0 makes every miss CRITICAL.
 */
export const CRITICAL_MISS_SHARE = 0.1;

/**
 * The indicators a pass of a source can change: those that count its
 * records; after a cadre database pass, all of them (its unit tree scopes
 * every indicator).
 */
export function definitionsChangedBy(source: SourceName): IndicatorDefinition[] {
  if (source === 'CADRE_DB') return [...INDICATOR_CATALOG];
  return INDICATOR_CATALOG.filter((definition) => definition.sources.includes(source));
}

interface Watched {
  watch: LiveWatch;
  unit: UnitRow;
  period: Period;
  basis: HierarchyBasis;
}

/** The watched pairs with their units and periods; a pair naming no known unit, or no valid period, is left out. */
async function resolveWatches(tx: Queryable, watches: readonly LiveWatch[], logger: Logger): Promise<Watched[]> {
  if (watches.length === 0) return [];
  const units = new Map(
    (await findUnitsByCodes(tx, [...new Set(watches.map((w) => w.unitCode))])).map((u) => [u.code, u]),
  );
  return watches.flatMap((watch) => {
    const unit = units.get(watch.unitCode);
    if (!unit) return [];
    try {
      const basis: HierarchyBasis = watch.hierarchyDate
        ? { hierarchy: 'AS_IS', hierarchyDate: watch.hierarchyDate }
        : AS_WAS;
      return [{ watch, unit, period: parsePeriod(watch.period), basis }];
    } catch {
      logger.warn({ watch }, 'live watch with a malformed period ignored');
      return [];
    }
  });
}

/** Evaluations per watched pair (aligned with `watched`): one batch per period, basis and figure group. */
async function evaluate(
  tx: Queryable,
  watched: readonly Watched[],
  definitions: readonly IndicatorDefinition[],
): Promise<IndicatorEvaluation[][]> {
  const results: IndicatorEvaluation[][] = new Array(watched.length);
  const byPeriod = new Map<string, number[]>();
  watched.forEach((w, i) => {
    const key = `${w.period.label} ${basisKey(w.basis)}`;
    byPeriod.set(key, [...(byPeriod.get(key) ?? []), i]);
  });
  for (const indexes of byPeriod.values()) {
    const { period, basis } = watched[indexes[0]!]!;
    const units = indexes.map((i) => ({ code: watched[i]!.unit.code, level: watched[i]!.unit.level }));
    const evaluations = await evaluateIndicatorsOfUnits(tx, definitions, units, period, basis);
    indexes.forEach((watchIndex, j) => (results[watchIndex] = evaluations[j]!));
  }
  return results;
}

const figuresOf = (e: IndicatorEvaluation): Figures => ({ n: e.numerator, d: e.denominator, v: e.value });

/**
 * Gives every watched pair without a baseline one, from the store as it is
 * now: at a pass's start, before it writes anything, so that a change the pass
 * makes to the pair is reported at its end.
 */
export async function seedBaselines(tx: Queryable, logger: Logger): Promise<number> {
  const watches = await activeLiveWatches(tx);
  const known = await readLiveState(tx, watches.map(baselineKey));
  const missing = await resolveWatches(
    tx,
    watches.filter((watch) => !known.has(baselineKey(watch))),
    logger,
  );
  if (missing.length === 0) return 0;
  const evaluations = await evaluate(tx, missing, INDICATOR_CATALOG);
  const at = new Date().toISOString();
  await writeLiveState(
    tx,
    new Map(
      missing.map((w, i) => [
        baselineKey(w.watch),
        {
          at,
          values: Object.fromEntries(evaluations[i]!.map((e) => [e.definition.code, figuresOf(e)])),
        } satisfies Baseline,
      ]),
    ),
  );
  return missing.length;
}

/**
 * Evaluates the watched pairs again after a pass of `source` and returns the
 * events for what changed since their baselines (which it moves on): an
 * INDICATOR_CHANGED per value that differs, and an alert per value that
 * crossed its effective target.
 */
export async function indicatorChanges(tx: Queryable, source: SourceName, logger: Logger): Promise<LiveEventDraft[]> {
  const watches = await activeLiveWatches(tx);
  const keys = new Set(watches.map(baselineKey));
  // Pairs no longer watched by anyone: their baselines would be stale when watched again.
  const orphaned = [...(await readLiveStateWithPrefix(tx, BASELINE_PREFIX)).keys()].filter((key) => !keys.has(key));
  await deleteLiveState(tx, orphaned);

  const baselines = await readLiveState<Baseline>(tx, [...keys]);
  const watched = (await resolveWatches(tx, watches, logger)).filter((w) => baselines.has(baselineKey(w.watch)));
  if (watched.length === 0) return [];
  const evaluations = await evaluate(tx, watched, definitionsChangedBy(source));

  const drafts: LiveEventDraft[] = [];
  // Only changes as it was cross targets: a restated series is read beside them, and alerting on it would raise the
  // same crossing once per basis watched.
  const changed: { evaluation: IndicatorEvaluation; previous: Figures; unit: UnitRow }[] = [];
  const updated = new Map<string, Baseline>();
  watched.forEach((w, i) => {
    const key = baselineKey(w.watch);
    const baseline = baselines.get(key)!;
    const values = { ...baseline.values };
    for (const evaluation of evaluations[i]!) {
      const previous = values[evaluation.definition.code];
      values[evaluation.definition.code] = figuresOf(evaluation);
      // An indicator new to the catalog since the baseline was taken has nothing to compare with yet.
      if (!previous || previous.v === evaluation.value) continue;
      if (w.basis.hierarchy === 'AS_WAS') changed.push({ evaluation, previous, unit: w.unit });
      drafts.push({
        kind: 'INDICATOR_CHANGED',
        unitCode: evaluation.unitCode,
        payload: {
          indicatorCode: evaluation.definition.code,
          unitCode: evaluation.unitCode,
          unitLevel: evaluation.unitLevel,
          period: evaluation.period.label,
          convention: evaluation.period.convention,
          numerator: evaluation.numerator,
          denominator: evaluation.denominator,
          value: evaluation.value,
          parts: evaluation.parts.map((part) => ({ code: part.code, value: part.value })),
          computedAt: evaluation.computedAt.toISOString(),
          previousValue: previous.v,
          ...(w.basis.hierarchy === 'AS_IS' ? { hierarchyDate: w.basis.hierarchyDate } : {}),
          ...(evaluation.foldedUnitCodes.length > 0 ? { foldedUnitCodes: evaluation.foldedUnitCodes } : {}),
          ...(evaluation.unattributedRecords !== 0 ? { unattributedRecords: evaluation.unattributedRecords } : {}),
        },
      });
    }
    updated.set(key, { at: new Date().toISOString(), values });
  });
  await writeLiveState(tx, updated);
  return [...drafts, ...(await targetCrossings(tx, changed))];
}

/** TARGET_MET / TARGET_MISSED for the changed values whose side of the target changed. */
async function targetCrossings(
  tx: Queryable,
  changed: readonly { evaluation: IndicatorEvaluation; previous: Figures; unit: UnitRow }[],
): Promise<LiveEventDraft[]> {
  const candidates = changed.filter(({ evaluation }) => evaluation.definition.direction !== 'NEUTRAL');
  if (candidates.length === 0) return [];
  const stored = await readEffectiveTargets(
    tx,
    candidates.map(({ evaluation: e }) => ({
      indicatorCode: e.definition.code,
      unitCode: e.unitCode,
      year: Number(e.period.label.slice(0, 4)),
    })),
  );
  return candidates.flatMap(({ evaluation, previous, unit }, i) => {
    const own = stored[i];
    const definition = evaluation.definition;
    const target = own?.target ?? (definition.defaultTarget === undefined ? null : String(definition.defaultTarget));
    if (target === null) return [];
    const before = meetsTarget(
      { ...evaluation, numerator: previous.n, denominator: previous.d, value: previous.v },
      target,
    );
    const after = meetsTarget(evaluation, target);
    // Only a value that was on one side and is now on the other crosses: no value (denominator 0) is on neither.
    if (before === null || after === null || before === after) return [];
    const value = evaluation.value!;
    const targetNumber = Number(target);
    const gap = value - targetNumber;
    const critical = targetNumber === 0 || Math.abs(gap) > CRITICAL_MISS_SHARE * Math.abs(targetNumber);
    const message = targetCrossingMessage({
      indicatorVi: definition.nameVi,
      indicatorEn: definition.nameEn,
      unitName: unit.name,
      period: evaluation.period.label,
      unit: definition.unit,
      direction: definition.direction,
      value,
      previousValue: previous.v!,
      target: targetNumber,
      meets: after,
    });
    const values: AlertValue[] = [
      { name: 'value', value },
      { name: 'previous value', value: previous.v },
      { name: 'target', value: targetNumber },
      { name: 'gap', value: gap },
      { name: 'numerator', value: evaluation.numerator },
      { name: 'denominator', value: evaluation.denominator },
      { name: 'period', value: evaluation.period.label },
      { name: 'target source', value: own ? (own.depth === 0 ? 'STORED_FOR_UNIT' : 'STORED_FOR_ANCESTOR') : 'DEFAULT' },
    ];
    const payload: AlertPayload = {
      kind: after ? 'INDICATOR_TARGET_MET' : 'INDICATOR_TARGET_MISSED',
      severity: after ? 'INFO' : critical ? 'CRITICAL' : 'WARNING',
      unitCode: evaluation.unitCode,
      messageVi: message.vi,
      messageEn: message.en,
      values,
      subject: definition.code,
    };
    return [{ kind: 'ALERT', unitCode: evaluation.unitCode, payload } satisfies LiveEventDraft];
  });
}
