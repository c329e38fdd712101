import type { SyncRunRow } from '../store/sync.ts';
import { builder } from './builder.ts';
import { describedValues } from './enum-values.ts';

const SyncRunStatusEnum = builder.enumType('SyncRunStatus', {
  description: 'How a sync pass ended.',
  values: describedValues(['RUNNING', 'SUCCEEDED', 'FAILED'] as const, {
    RUNNING: 'Still running (or its process died mid-pass: a later pass resumes from the feeds’ cursors).',
    SUCCEEDED: 'Every feed was read to the end.',
    FAILED: 'A feed failed: see error.',
  }),
});

/** One sync pass of a source, as sync_runs keeps it. */
export const SyncRun = builder.objectRef<SyncRunRow>('SyncRun').implement({
  description: 'One sync pass of a source (all its feeds), by whichever hub instance ran it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The pass’s id: increasing, so newer passes have larger ids.' }),
    instance: t.exposeString('instance', { description: 'The process that ran it (host:pid).' }),
    trigger: t.exposeString('trigger', {
      description: 'What started it: SCHEDULE, COMMAND (npm run sync), MUTATION (syncNow) or START.',
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it ended; null while it runs (or if its process died mid-pass).',
    }),
    status: t.expose('status', {
      type: SyncRunStatusEnum,
      description: 'How it ended, or RUNNING.',
    }),
    records: t.exposeString('records', { description: 'Rows it wrote (a string of digits).' }),
    rejected: t.exposeString('rejected', { description: 'Records it quarantined (a string of digits).' }),
    error: t.exposeString('error', {
      nullable: true,
      description: 'Why it failed, feed by feed ("feed: reason; feed: reason"); null when it succeeded.',
    }),
  }),
});
