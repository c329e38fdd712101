/**
 * Data-quality alerts: after a pass that wrote something, every rule
 * (store/indicators/quality.ts) is checked over the province for the current
 * calendar year; a rule whose violations went from none to some is
 * DATA_QUALITY_VIOLATED (WARNING), with the count and a sample unit's figures
 * (never the codes of the records behind them). Each rule's
 * last count is kept in live_state, so a rule that stays violated is told
 * once, and again only after it has held in between. A rule never checked
 * before counts as having held (the hub tells what it finds the first time).
 */
import { QUALITY_RULES, qualityViolations, type QualityViolation } from '../store/indicators/quality.ts';
import type { Queryable } from '../store/db.ts';
import {
  readLiveState,
  rootUnitsOn,
  writeLiveState,
  type AlertPayload,
  type LiveEventDraft,
} from '../store/live-events.ts';
import { parsePeriod } from '../indicators/period.ts';
import { vietnamDay } from '../connectors/common/wire.ts';
import { qualityMessage } from './messages.ts';

const countKey = (root: string, period: string, rule: string) => `quality|${root}|${period}|${rule}`;

/** The alerts for rules newly violated over the province (call under the quality lock); `now` is the data clock. */
export async function qualityDrafts(tx: Queryable, now: Date): Promise<LiveEventDraft[]> {
  const today = vietnamDay(now);
  const period = parsePeriod(today.slice(0, 4));
  const drafts: LiveEventDraft[] = [];
  for (const root of await rootUnitsOn(tx, today)) {
    const violations = await qualityViolations(tx, root.code, period.range);
    const byRule = new Map<string, QualityViolation[]>();
    for (const v of violations) byRule.set(v.ruleCode, [...(byRule.get(v.ruleCode) ?? []), v]);
    const keys = QUALITY_RULES.map((rule) => countKey(root.code, period.label, rule.code));
    const known = await readLiveState<number>(tx, keys);
    const counts = new Map<string, number>();
    for (const rule of QUALITY_RULES) {
      const key = countKey(root.code, period.label, rule.code);
      const found = byRule.get(rule.code) ?? [];
      counts.set(key, found.length);
      if (found.length === 0 || (known.get(key) ?? 0) > 0) continue;
      const sample = found[0]!;
      const message = qualityMessage({
        ruleCode: rule.code,
        ruleNameVi: rule.nameVi,
        leftSide: rule.leftSide,
        rightSide: rule.rightSide,
        operator: rule.operator,
        count: found.length,
        period: period.label,
        unitName: root.name,
        sampleVi: rule.messageVi(sample),
        sampleEn: rule.messageEn(sample),
      });
      const payload: AlertPayload = {
        kind: 'DATA_QUALITY_VIOLATED',
        severity: 'WARNING',
        unitCode: root.code,
        messageVi: message.vi,
        messageEn: message.en,
        values: [
          { name: 'violations', value: found.length },
          { name: 'previous violations', value: known.get(key) ?? 0 },
          { name: 'rule severity', value: rule.severity },
          { name: 'period', value: period.label },
          { name: 'sample unit', value: sample.unitCode },
          { name: 'sample left', value: sample.left },
          { name: 'sample right', value: sample.right },
          // No record codes (dossier codes, staff ids): alerts need read:aggregates only, not the records' scopes.
        ],
        subject: rule.code,
      };
      drafts.push({ kind: 'ALERT', unitCode: root.code, payload });
    }
    await writeLiveState(tx, counts);
  }
  return drafts;
}
