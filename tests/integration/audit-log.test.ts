/**
 * The audit log: entries written by the audit plugin through a real hub (and
 * a real Yoga serving a subscription over SSE), the hash chain and its
 * verification against edited and deleted rows (also while entries are being
 * appended), the append-only trigger, the admin query, and `npm run
 * audit:verify`. tests/integration/audit-end-to-end.test.ts reads real
 * personal-data fields over HTTP and WebSocket.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntry, verifyAuditChain, type AuditChainStatus, type AuditEntryInput } from '../../store/audit.ts';
import { ANONYMOUS_DEVELOPER, type Authenticate } from '../../store/access.ts';
import { createConsumer, issueApiKey } from '../../store/consumers.ts';
import type { Db } from '../../store/db.ts';
import { createAuditTrail } from '../../schema/audit-trail.ts';
import type { Context } from '../../schema/index.ts';
import { useAuditLog } from '../../gateway/policy/auth/audit-plugin.ts';
import { createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import { createHub, type Hub } from '../../gateway/server.ts';
import { loadConfig, type Config } from '../../gateway/config.ts';
import { testConfig } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const logger = pino({ level: 'silent' });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AUDIT_KEY = 'an-audit-key-of-at-least-32-characters';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Stands in for the schema's personal-data resolvers: reads what the request's
 * `extensions.reads` lists ([field, recordId] pairs) and the admin operations
 * in `extensions.admin`, as those resolvers would through ctx.audit.
 */
const pretendResolvers: Plugin<Context> = {
  onExecute({ args }) {
    const { extensions } = (args.contextValue as Context & { params: { extensions?: any } }).params;
    for (const [field, id] of extensions?.reads ?? []) args.contextValue.audit.readPersonalData(field, id);
    for (const name of extensions?.admin ?? []) args.contextValue.audit.usedAdmin(name);
  },
};

/** Runs `work` with the append-only triggers off, as someone with enough database rights could. */
const tamper = (db: Db, sql: string) =>
  db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await tx.exec(sql);
  });

/** A hub on a loopback port; every hub writes the audit log (AUDIT_KEY keys it). */
async function startAuditedHub(
  db: Db,
  { config, ...deps }: { config: Partial<Config>; authenticate: Authenticate; plugins?: Plugin<Context>[] },
): Promise<{ hub: Hub; url: string }> {
  const hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 5_000, ...config }), {
    db,
    logger,
    plugins: [pretendResolvers],
    ...deps,
  });
  const { port } = await hub.listen(0, '127.0.0.1');
  return { hub, url: `http://127.0.0.1:${port}` };
}

/** The store for a second hub, which must not close it when it stops. */
const borrowed = (db: Db): Db => ({ ...db, close: async () => {} });

const entry = (n: number, extra: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  at: new Date(Date.UTC(2025, 0, 1, 8, 0, n)),
  consumer: 'ioc',
  consumerId: null,
  credential: 'API_KEY',
  operationName: `Op${n}`,
  documentHash: sha256(`{ op${n} }`),
  personalData: { 'Staff.fullName': [`NV${n}`] },
  adminOperations: [],
  clientAddress: '127.0.0.1',
  requestId: `req-${n}`,
  ...extra,
});

describe.each(testBackends)('the audit log on %s', (backend) => {
  describe('written by the hub', () => {
    let store: TestStore;
    let hub: { hub: Hub; url: string };
    let apiKey: string;
    let adminKey: string;
    let consumerId: string;

    async function post(query: string, { key = apiKey, extensions = {}, headers = {} as Record<string, string> } = {}) {
      const target = (headers.target as string | undefined) ?? hub.url;
      delete headers.target;
      const response = await fetch(`${target}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
        body: JSON.stringify({ query, extensions }),
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    const rows = () =>
      store.db.query<any>(
        `SELECT id::text AS id, consumer, consumer_id::text AS "consumerId", credential, operation_name AS "operationName",
                document_hash AS "documentHash", personal_data AS "personalData", admin_operations AS "adminOperations",
                client_address AS "clientAddress", request_id AS "requestId", keyed, prev_hash AS "prevHash", hash
           FROM audit_log ORDER BY id`,
      );

    beforeAll(async () => {
      store = await openTestStore(backend);
      consumerId = (await createConsumer(store.db, { name: 'ioc', scopes: ['read:staff', 'read:pii'] })).id;
      await createConsumer(store.db, { name: 'auditor', scopes: ['admin'] });
      apiKey = (await issueApiKey(store.db, 'ioc')).apiKey;
      adminKey = (await issueApiKey(store.db, 'auditor')).apiKey;
      const config = loadConfig({ AUDIT_KEY });
      hub = await startAuditedHub(store.db, {
        authenticate: createAuthenticator({ db: store.db, config, logger }),
        config: { AUDIT_KEY },
      });
    });
    afterAll(async () => {
      await hub?.hub.stop();
      await store?.dispose();
    });

    it('records who read which personal data, with what document, from where', async () => {
      const query = 'query StaffNames { __typename }';
      const answer = await post(query, {
        extensions: {
          reads: [
            ['Staff.fullName', 'NV001'],
            ['Staff.fullName', 'NV002'],
            ['Staff.birthDate', 'NV001'],
            ['Staff.fullName', 'NV001'],
          ],
        },
        headers: { 'x-request-id': 'req-audit-1', 'x-forwarded-for': '203.0.113.7' },
      });
      expect(answer).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const [first, ...more] = await rows();
      expect(more).toEqual([]);
      expect(first).toEqual({
        id: '1',
        consumer: 'ioc',
        consumerId,
        credential: 'API_KEY',
        operationName: 'StaffNames',
        documentHash: sha256(query),
        personalData: { 'Staff.fullName': ['NV001', 'NV002'], 'Staff.birthDate': ['NV001'] },
        adminOperations: [],
        // TRUST_PROXY is off: the header is the client's word, the socket is not.
        clientAddress: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
        requestId: 'req-audit-1',
        keyed: true,
        prevHash: '0'.repeat(64),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('records nothing for a request that read no personal data and ran no admin operation', async () => {
      const before = (await rows()).length;
      expect((await post('{ __typename }')).status).toBe(200);
      expect(await rows()).toHaveLength(before);
    });

    it('records admin operations, and chains each entry to the previous one', async () => {
      await post('mutation { __typename }', { key: adminKey, extensions: { admin: ['syncNow'] } });
      const log = await rows();
      const last = log.at(-1);
      expect(last).toMatchObject({ consumer: 'auditor', adminOperations: ['syncNow'], personalData: {} });
      expect(last.prevHash).toBe(log.at(-2).hash);
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: true, checked: log.length });
    });

    it('takes the client address from X-Forwarded-For only when TRUST_PROXY=true', async () => {
      const config = loadConfig({ AUDIT_KEY, TRUST_PROXY: 'true' });
      const proxied = await startAuditedHub(borrowed(store.db), {
        authenticate: createAuthenticator({ db: store.db, config, logger }),
        config: { AUDIT_KEY, TRUST_PROXY: true },
      });
      try {
        await post('{ __typename }', {
          extensions: { reads: [['Dossier.applicantName', '000.00.12.H40-250101-0001']] },
          headers: { target: proxied.url, 'x-forwarded-for': '203.0.113.7, 10.0.0.2' },
        });
      } finally {
        await proxied.hub.stop();
      }
      expect((await rows()).at(-1)).toMatchObject({
        clientAddress: '203.0.113.7',
        personalData: { 'Dossier.applicantName': ['000.00.12.H40-250101-0001'] },
      });
    });

    it('withholds the response when the entry cannot be written (fail closed)', async () => {
      // The hub's store fails to write (the audit log is appended in a transaction); credentials are still checked.
      const broken: Db = {
        ...borrowed(store.db),
        transaction: async () => {
          throw new Error('disk full');
        },
      };
      const config = loadConfig({ AUDIT_KEY });
      const failing = await startAuditedHub(broken, {
        authenticate: createAuthenticator({ db: store.db, config, logger }),
        config: { AUDIT_KEY },
      });
      try {
        const answer = await post('{ __typename }', {
          extensions: { reads: [['Staff.fullName', 'NV001']] },
          headers: { target: failing.url },
        });
        expect(answer.body.data ?? null).toBeNull();
        expect(answer.body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringContaining('audit log cannot record this request'),
            extensions: expect.objectContaining({ code: 'AUDIT_UNAVAILABLE' }),
          }),
        ]);
        // Nothing of the data got out, and the cause (not the data) is not in the response either.
        expect(JSON.stringify(answer.body)).not.toContain('disk full');
        // Without personal data, nothing needs recording: the same store failure does not matter.
        expect((await post('{ __typename }', { headers: { target: failing.url } })).body.data).toEqual({
          __typename: 'Query',
        });
      } finally {
        await failing.hub.stop();
      }
    });

    it('is readable by admin consumers only, newest first, page by page, and the reading is recorded', async () => {
      const refused = await post('{ auditLog(first: 1) { edges { node { id } } } }');
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const count = (await rows()).length;

      const page = `query Log($after: String) {
        auditLog(first: 1, after: $after, consumer: "ioc") {
          edges { node { id consumer credential operationName personalData { field recordIds } requestId keyed hash } }
          pageInfo { hasNextPage endCursor }
        }
        auditChainStatus { ok checked headId problem unkeyed }
      }`;
      const read = (after?: string) =>
        fetch(`${hub.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
          body: JSON.stringify({ query: page, variables: { after } }),
        }).then((response) => response.json() as Promise<any>);

      // The entries of ioc so far: 1 (StaffNames) and 3 (through the proxy); 2 is the auditor's.
      const first = await read();
      expect(first.errors).toBeUndefined();
      expect(first.data.auditLog.edges.map((e: any) => e.node)).toEqual([
        {
          id: '3',
          consumer: 'ioc',
          credential: 'API_KEY',
          operationName: null,
          personalData: [{ field: 'Dossier.applicantName', recordIds: ['000.00.12.H40-250101-0001'] }],
          requestId: expect.any(String),
          keyed: true,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
      expect(first.data.auditLog.pageInfo.hasNextPage).toBe(true);
      expect(first.data.auditChainStatus).toEqual({
        ok: true,
        checked: count,
        headId: String(count),
        problem: null,
        unkeyed: 0,
      });

      const second = await read(first.data.auditLog.pageInfo.endCursor);
      expect(second.data.auditLog.edges.map((e: any) => [e.node.id, e.node.operationName])).toEqual([
        ['1', 'StaffNames'],
      ]);
      expect(second.data.auditLog.pageInfo.hasNextPage).toBe(false);

      // Each reading of the log is itself an entry (an admin operation), after the ones it read.
      const readings = (await rows()).filter((row) => row.adminOperations.includes('auditLog'));
      expect(readings.map((row) => row.id)).toEqual([String(count + 1), String(count + 2)]);
      expect(readings[0]).toMatchObject({ consumer: 'auditor', personalData: {} });
    });

    it('refuses the log and its chain status to an admin bound to a unit subtree, and records asking for the status', async () => {
      await createConsumer(store.db, { name: 'district-auditor', scopes: ['admin'], unitCode: '000.00.12.H40' });
      const districtKey = (await issueApiKey(store.db, 'district-auditor')).apiKey;
      const before = (await rows()).length;
      for (const query of ['{ auditLog(first: 5) { edges { node { id } } } }', '{ auditChainStatus { ok } }']) {
        const refused = await post(query, { key: districtKey });
        expect(refused.body.data ?? null).toBeNull();
        expect(refused.body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringContaining('this one sees the subtree of 000.00.12.H40'),
            extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
          }),
        ]);
      }
      // Refused before anything was read: nothing to record.
      expect(await rows()).toHaveLength(before);

      const status = await post('query Status { auditChainStatus { ok checked } }', { key: adminKey });
      expect(status.body).toEqual({ data: { auditChainStatus: { ok: true, checked: before } } });
      expect((await rows()).at(-1)).toMatchObject({
        id: String(before + 1),
        consumer: 'auditor',
        operationName: 'Status',
        adminOperations: ['auditChainStatus'],
        personalData: {},
      });
    });
  });

  describe('the chain', () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await openTestStore(backend);
    });
    afterAll(() => store?.dispose());

    /** A fresh log of `count` entries (the previous one wiped with the triggers off). */
    async function freshLog(count: number, { keyed = true } = {}) {
      await tamper(store.db, `TRUNCATE audit_log; UPDATE audit_head SET last_id = 0, last_hash = repeat('0', 64)`);
      for (let n = 1; n <= count; n += 1) await appendAuditEntry(store.db, entry(n), keyed ? AUDIT_KEY : undefined);
    }

    it('refuses UPDATE, DELETE and TRUNCATE of the log', async () => {
      await freshLog(2);
      for (const sql of [
        `UPDATE audit_log SET consumer = 'someone-else' WHERE id = 1`,
        'DELETE FROM audit_log WHERE id = 2',
        'TRUNCATE audit_log',
        'DELETE FROM audit_head',
      ]) {
        await expect(store.db.exec(sql)).rejects.toThrow(/append-only/);
      }
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: true, checked: 2 });
    });

    it('verifies page by page, and names the first entry that was edited', async () => {
      await freshLog(7);
      expect(await verifyAuditChain(store.db, AUDIT_KEY, { pageSize: 3 })).toEqual({
        ok: true,
        checked: 7,
        headId: '7',
        headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        brokenAt: null,
        problem: null,
        unkeyed: 0,
      });
      await tamper(store.db, `UPDATE audit_log SET personal_data = '{"Staff.fullName": []}' WHERE id = 5`);
      expect(await verifyAuditChain(store.db, AUDIT_KEY, { pageSize: 3 })).toMatchObject({
        ok: false,
        checked: 4,
        brokenAt: '5',
        problem: 'entry 5 does not match its hash: it was edited',
      });
    });

    it('finds a deleted entry in the middle', async () => {
      await freshLog(5);
      await tamper(store.db, 'DELETE FROM audit_log WHERE id = 3');
      expect(await verifyAuditChain(store.db, AUDIT_KEY, { pageSize: 2 })).toMatchObject({
        ok: false,
        brokenAt: '3',
        problem: 'entry 3 is missing (the next is 4)',
      });
    });

    it('finds a deleted entry whose successors were renumbered to close the gap', async () => {
      await freshLog(4);
      await tamper(store.db, 'DELETE FROM audit_log WHERE id = 2; UPDATE audit_log SET id = id - 1 WHERE id > 2');
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: false, brokenAt: '2' });
    });

    it('finds the newest entry deleted', async () => {
      await freshLog(4);
      await tamper(store.db, 'DELETE FROM audit_log WHERE id = 4');
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({
        ok: false,
        checked: 3,
        brokenAt: '4',
        problem: 'entries 4 to 4 are missing (the log ends at 3)',
      });
    });

    it('finds an entry edited and re-hashed without the key', async () => {
      await freshLog(3);
      const [row] = await store.db.query<any>(
        `SELECT id::text AS id, at, consumer, consumer_id AS "consumerId", credential, operation_name AS "operationName",
                document_hash AS "documentHash", personal_data AS "personalData", admin_operations AS "adminOperations",
                client_address AS "clientAddress", request_id AS "requestId", prev_hash AS "prevHash"
           FROM audit_log WHERE id = 2`,
      );
      // The forger knows the algorithm but not the key: a plain SHA-256 over the edited entry.
      const { prevHash, ...content } = { ...row, consumer: 'someone-else' };
      const { canonicalJson } = await import('../../store/audit.ts');
      const forged = sha256(prevHash + canonicalJson(content));
      await tamper(store.db, `UPDATE audit_log SET consumer = 'someone-else', hash = '${forged}' WHERE id = 2`);
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: false, brokenAt: '2' });
    });

    it('needs the right key for keyed entries, and refuses an unkeyed entry after a keyed one', async () => {
      await freshLog(2);
      expect(await verifyAuditChain(store.db, 'another-key-of-at-least-32-characters!!')).toMatchObject({
        ok: false,
        brokenAt: '1',
      });
      expect(await verifyAuditChain(store.db, undefined)).toMatchObject({
        ok: false,
        brokenAt: '1',
        problem: 'entry 1 is keyed with AUDIT_KEY: set it to verify the chain',
      });
      await appendAuditEntry(store.db, entry(3), undefined);
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: false, brokenAt: '3' });
    });

    it('counts the entries written before AUDIT_KEY was configured', async () => {
      await freshLog(2, { keyed: false });
      await appendAuditEntry(store.db, entry(3), AUDIT_KEY);
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({ ok: true, checked: 3, unkeyed: 2 });
      expect(await verifyAuditChain(store.db, undefined)).toMatchObject({ ok: false, brokenAt: '3' });
    });

    it('keeps one gapless chain when many requests append at once, and verifies intact while they do', async () => {
      await freshLog(0);
      const total = 48;
      let appending = true;
      const appends = Promise.all(
        Array.from({ length: 4 }, async (_, writer) => {
          const written = [];
          for (let n = 0; n < total / 4; n += 1) {
            written.push(await appendAuditEntry(store.db, entry(writer * 100 + n + 1), AUDIT_KEY));
          }
          return written;
        }),
      ).finally(() => {
        appending = false;
      });
      // A hub keeps appending while an operator verifies: each walk checks the log up to the head it read first.
      const during: AuditChainStatus[] = [];
      while (appending) during.push(await verifyAuditChain(store.db, AUDIT_KEY, { pageSize: 2 }));
      const written = (await appends).flat();
      expect(written.map((e) => Number(e.id)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: total }, (_, n) => n + 1),
      );
      expect(during.length).toBeGreaterThan(0);
      for (const status of during) {
        expect(status).toMatchObject({ ok: true, problem: null, checked: Number(status.headId) });
      }
      // At least one walk saw the log half written (and still found it intact).
      expect(during.some((status) => status.checked > 0 && status.checked < total)).toBe(true);
      expect(await verifyAuditChain(store.db, AUDIT_KEY, { pageSize: 5 })).toMatchObject({ ok: true, checked: total });
    });

    it('finds a head moved back to an earlier entry, the entries after it kept', async () => {
      await freshLog(4);
      await tamper(
        store.db,
        `UPDATE audit_head SET last_id = 2, last_hash = (SELECT hash FROM audit_log WHERE id = 2)`,
      );
      expect(await verifyAuditChain(store.db, AUDIT_KEY)).toMatchObject({
        ok: false,
        checked: 2,
        brokenAt: '3',
        problem: 'audit_head (entry 2) is behind the log, which goes on to entry 4',
      });
    });
  });

  it('records each subscription event that read personal data', async () => {
    const store = await openTestStore(backend);
    const schema = createSchema<Context>({
      typeDefs: `type Query { ok: Boolean }
        type Holder { id: ID! name: String }
        type Subscription { holders: Holder }`,
      resolvers: {
        Subscription: {
          holders: {
            subscribe: async function* () {
              for (const id of ['P1', 'P2', 'P3']) yield { holders: { id } };
            },
          },
        },
        Holder: {
          // P2's name is not returned (null): nothing personal left, nothing to record.
          name: ({ id }: { id: string }, _args: unknown, ctx: Context) => {
            if (id === 'P2') return null;
            ctx.audit.readPersonalData('Holder.name', id);
            return `name of ${id}`;
          },
        },
      },
    });
    const yoga = createYoga<{}, Context>({
      schema,
      logging: false,
      context: () => ({ viewer: ANONYMOUS_DEVELOPER, audit: createAuditTrail() }) as unknown as Context,
      plugins: [useAuditLog({ db: store.db, logger, config: loadConfig({}) })],
    });
    const server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription Watch { holders { id name } }' }),
      });
      const text = await response.text();
      expect(text.match(/^event: next$/gm)).toHaveLength(3);
      const log = await store.db.query<{ operationName: string; personalData: unknown; consumer: string }>(
        `SELECT operation_name AS "operationName", personal_data AS "personalData", consumer FROM audit_log ORDER BY id`,
      );
      expect(log).toEqual([
        { operationName: 'Watch', personalData: { 'Holder.name': ['P1'] }, consumer: 'anonymous' },
        { operationName: 'Watch', personalData: { 'Holder.name': ['P3'] }, consumer: 'anonymous' },
      ]);
      expect(await verifyAuditChain(store.db, undefined)).toMatchObject({ ok: true, checked: 2, unkeyed: 2 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.dispose();
    }
  });
});

// The CLI runs as a process of its own (tsx start-up each call) beside other files' tests.
describe.runIf(process.env.TEST_DATABASE_URL)('npm run audit:verify', { timeout: 120_000 }, () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('postgres');
    for (let n = 1; n <= 3; n += 1) await appendAuditEntry(store.db, entry(n), AUDIT_KEY);
  });
  afterAll(() => store?.dispose());

  const verify = async (env: Record<string, string>) => {
    const [schema] = await store.db.query<{ name: string }>('SELECT current_schema() AS name');
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: process.env.TEST_DATABASE_URL!,
        DATABASE_SCHEMA: schema!.name,
        ...env,
      },
    });
    return run.then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  };

  it('exits 0 on an intact chain and 1, naming the entry, on a broken one', async () => {
    const intact = await verify({ AUDIT_KEY });
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^audit log intact: 3 entries, head 3 [0-9a-f]{64}$/m);

    const keyless = await verify({});
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('entry 1 is keyed with AUDIT_KEY');

    await tamper(store.db, `UPDATE audit_log SET request_id = 'req-forged' WHERE id = 2`);
    const broken = await verify({ AUDIT_KEY });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('audit log BROKEN after 1 intact entries');
    expect(broken.stderr).toContain('entry 2: entry 2 does not match its hash: it was edited');
  });

  it('warns, naming how many and which, when AUDIT_KEY is set and entries are unkeyed', async () => {
    // Two entries from before the key was configured, then two keyed ones: intact, but the first two could have been
    // rewritten by anyone with database access, and only the count shows how many there are.
    await tamper(store.db, `TRUNCATE audit_log; UPDATE audit_head SET last_id = 0, last_hash = repeat('0', 64)`);
    for (let n = 1; n <= 4; n += 1) await appendAuditEntry(store.db, entry(n), n <= 2 ? undefined : AUDIT_KEY);
    const warned = await verify({ AUDIT_KEY });
    expect(warned.code).toBe(0);
    expect(warned.stdout).toMatch(/^audit log intact: 4 entries, head 4 [0-9a-f]{64}$/m);
    expect(warned.stderr).toContain('WARNING: 2 of 4 entries (ids 1 to 2) are hashed without AUDIT_KEY');

    // All keyed: nothing to warn about.
    await tamper(store.db, `TRUNCATE audit_log; UPDATE audit_head SET last_id = 0, last_hash = repeat('0', 64)`);
    await appendAuditEntry(store.db, entry(1), AUDIT_KEY);
    const quiet = await verify({ AUDIT_KEY });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('WARNING');
  });
});
