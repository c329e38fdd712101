/**
 * The credential a newcomer needs in demo mode: `npm start` with no upstream
 * configured serves a simulated province, and personal data and admin
 * operations (syncNow) need a key. The hub registers a `development` consumer
 * with every scope and prints a fresh key at each start, revoking the last
 * one. Only in demo mode: against real upstreams, keys come from
 * `npm run consumer` like in production, and a hub that starts out of demo
 * mode revokes the keys a demo run left (retireDevelopmentCredentials), so
 * an every-scope key printed to a terminal never reaches real data.
 */
import { SCOPES } from '../../../store/access.ts';
import { createConsumer, findConsumer, issueApiKey, revokeKeysOf } from '../../../store/consumers.ts';
import type { Queryable } from '../../../store/db.ts';

export const DEVELOPMENT_CONSUMER = 'development';

export async function issueDevelopmentCredential(db: Queryable): Promise<string> {
  const consumer = await findConsumer(db, DEVELOPMENT_CONSUMER);
  if (!consumer) {
    await createConsumer(db, {
      name: DEVELOPMENT_CONSUMER,
      scopes: SCOPES,
      description: 'Every scope, the whole province: issued by npm start in demo mode (simulated data).',
    });
  } else if (consumer.revokedAt) {
    // Someone revoked it on purpose: respect that rather than hand out a new key.
    throw new Error(
      `the ${DEVELOPMENT_CONSUMER} consumer is revoked: issue a key to another consumer with npm run consumer`,
    );
  }
  await revokeKeysOf(db, DEVELOPMENT_CONSUMER);
  return (await issueApiKey(db, DEVELOPMENT_CONSUMER)).apiKey;
}

/**
 * Revokes every key of the `development` consumer, if there is one: a hub
 * that is not in demo mode serves real data, which a key printed by an
 * earlier demo run must not open. Returns how many keys were revoked.
 */
export async function retireDevelopmentCredentials(db: Queryable): Promise<number> {
  if (!(await findConsumer(db, DEVELOPMENT_CONSUMER))) return 0;
  return revokeKeysOf(db, DEVELOPMENT_CONSUMER);
}
