/**
 * Dossier events and overdue alerts: RECEIVED, FINISHED (told as RESOLVED),
 * RETURNED and OVERDUE from a committed dossier batch, and OVERDUE by the
 * clock too (overdueScan), since a dossier becomes overdue with time alone,
 * while nobody updates it. Each OVERDUE is told once: a dossier the log
 * already has an OVERDUE event for is left out (under the log's lock, so two
 * instances cannot both tell it).
 */
import type { Queryable } from '../store/db.ts';
import {
  dossiersLoggedOverdue,
  openDossiersDueBetween,
  readLiveDossierFacts,
  type AlertPayload,
  type DossierEventKind,
  type LiveDossierFacts,
  type LiveEventDraft,
} from '../store/live-events.ts';
import type { ChangeEvent, DossierChangeKind } from '../connectors/sync/changes.ts';
import { overdueMessage } from './messages.ts';

const DAY_MS = 86_400_000;

const EVENT_KIND: Record<DossierChangeKind, DossierEventKind> = {
  RECEIVED: 'RECEIVED',
  FINISHED: 'RESOLVED',
  RETURNED: 'RETURNED',
  OVERDUE: 'OVERDUE',
};

/**
 * The instant the event is about, for the horizon: an event about something
 * that happened before the retention window began (a dossier received three
 * years ago, read by the hub's first sync) is history, not news, and is not
 * told: had it been told when it happened, it would have left the log by now.
 * It also keeps a first sync from flooding subscribers with the whole archive.
 */
function instantOf(kind: DossierChangeKind, facts: LiveDossierFacts): Date | null {
  switch (kind) {
    case 'RECEIVED':
      return facts.receivedAt;
    case 'FINISHED':
      return facts.finishedAt;
    case 'RETURNED':
      return facts.returnedAt;
    case 'OVERDUE':
      return facts.dueAt;
  }
}

/** Whole days past due, counting a started day: due an hour ago is 1 day overdue. */
export const daysOverdue = (dueAt: Date, now: Date) =>
  Math.max(1, Math.ceil((now.getTime() - dueAt.getTime()) / DAY_MS));

function overdueAlert(facts: LiveDossierFacts, now: Date): LiveEventDraft {
  const days = daysOverdue(facts.dueAt!, now);
  const message = overdueMessage({
    dossierCode: facts.code,
    procedureName: facts.procedureName,
    unitName: facts.unitName,
    dueAt: facts.dueAt!,
    daysOverdue: days,
  });
  const payload: AlertPayload = {
    kind: 'DOSSIER_OVERDUE',
    severity: 'WARNING',
    unitCode: facts.unitCode,
    messageVi: message.vi,
    messageEn: message.en,
    values: [
      { name: 'due at', value: facts.dueAt!.toISOString() },
      { name: 'overdue days', value: days },
      { name: 'procedure', value: facts.procedureCode },
      { name: 'procedure name', value: facts.procedureName },
      { name: 'received at', value: facts.receivedAt.toISOString() },
    ],
    subject: facts.code,
  };
  return { kind: 'ALERT', unitCode: facts.unitCode, payload };
}

const dossierEvent = (kind: DossierEventKind, facts: LiveDossierFacts): LiveEventDraft => ({
  kind: 'DOSSIER',
  unitCode: facts.unitCode,
  payload: { kind, dossierCode: facts.code, unitCode: facts.unitCode },
});

/** Whether the dossier is overdue now: open, with a due instant passed. */
const isOverdue = (facts: LiveDossierFacts, now: Date) => facts.open && facts.dueAt !== null && facts.dueAt < now;

/** OVERDUE events and alerts for the dossiers given that are overdue now and not yet told (call under the log's lock). */
async function overdueDrafts(
  tx: Queryable,
  candidates: readonly LiveDossierFacts[],
  now: Date,
  horizon: Date,
): Promise<LiveEventDraft[]> {
  const due = candidates.filter((facts) => isOverdue(facts, now) && facts.dueAt! >= horizon);
  const told = await dossiersLoggedOverdue(
    tx,
    due.map((facts) => facts.code),
  );
  return due
    .filter((facts) => !told.has(facts.code))
    .flatMap((facts) => [dossierEvent('OVERDUE', facts), overdueAlert(facts, now)]);
}

/**
 * The events of a committed dossier batch, as the store holds the dossiers
 * now (call under the log's lock). `now` is the data clock.
 */
export async function dossierChangeDrafts(
  tx: Queryable,
  change: ChangeEvent,
  now: Date,
  horizon: Date,
): Promise<LiveEventDraft[]> {
  if (change.dossiers.length === 0) return [];
  const facts = new Map(
    (
      await readLiveDossierFacts(
        tx,
        change.dossiers.map((d) => d.code),
      )
    ).map((f) => [f.code, f]),
  );
  const drafts: LiveEventDraft[] = [];
  const overdue: LiveDossierFacts[] = [];
  for (const dossier of change.dossiers) {
    const found = facts.get(dossier.code);
    if (!found) continue;
    for (const kind of dossier.kinds) {
      if (kind === 'OVERDUE') {
        overdue.push(found);
        continue;
      }
      const instant = instantOf(kind, found);
      if (instant === null || instant < horizon) continue;
      drafts.push(dossierEvent(EVENT_KIND[kind], found));
    }
  }
  return [...drafts, ...(await overdueDrafts(tx, overdue, now, horizon))];
}

/** OVERDUE events and alerts for open dossiers whose due instant passed since the horizon (call under the log's lock). */
export async function overdueScan(tx: Queryable, now: Date, horizon: Date): Promise<LiveEventDraft[]> {
  return overdueDrafts(tx, await openDossiersDueBetween(tx, horizon, now), now, horizon);
}
