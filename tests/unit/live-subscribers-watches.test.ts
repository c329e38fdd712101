/**
 * The watches of live/subscribers.ts reach the store in the order they
 * were asked for, per (unit, period): a pair dropped and watched again at
 * once must end up watched, even when the DELETE is slower than the upsert
 * (they run on different pool connections). A fake store records when each
 * statement starts and ends; the DELETE takes longer than the upsert after it.
 */
import { describe, expect, it } from 'vitest';
import { createLiveSubscribers, DEFAULT_LIVE_SETTINGS } from '../../live/subscribers.ts';
import type { Queryable } from '../../store/db.ts';

const silent = { info() {}, warn() {}, error() {} };

describe('live watches', () => {
  it('a release and a new watch of the same pair run one after the other, in that order', async () => {
    const steps: string[] = [];
    const db: Queryable = {
      async query(sql) {
        const verb = sql.trimStart().split(/\s/)[0]!;
        steps.push(`${verb} start`);
        // The DELETE is slow: unchained, the upsert after it would finish first and the DELETE would remove it.
        await new Promise((resolve) => setTimeout(resolve, verb === 'DELETE' ? 50 : 5));
        steps.push(`${verb} end`);
        return [];
      },
      async exec() {},
    };
    const subscribers = createLiveSubscribers({
      db,
      feed: { listen: () => () => {} },
      settings: { ...DEFAULT_LIVE_SETTINGS, instance: 'test' },
      log: silent,
    });
    const release = await subscribers.watch('000.00.12.H06', '2024');
    release();
    const again = await subscribers.watch('000.00.12.H06', '2024');
    expect(steps).toEqual(['INSERT start', 'INSERT end', 'DELETE start', 'DELETE end', 'INSERT start', 'INSERT end']);
    again();
    await subscribers.close();
  });
});
