/**
 * The audit log end to end: a real personal-data field of the schema
 * (Staff.fullName) read through a hub as main.ts builds it (createHub with
 * the real authenticator and a real API key, no extra plugins: the audit log
 * is part of every hub), over HTTP and over graphql-ws, writes one entry
 * naming the field, the person and the client's address.
 */
import { once } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { verifyAuditChain } from '../../store/audit.ts';
import { createConsumer, issueApiKey } from '../../store/consumers.ts';
import type { Staff } from '../../store/model.ts';
import { upsertStaff } from '../../store/staff.ts';
import { createAuthenticator } from '../../gateway/policy/auth/authenticate.ts';
import { loadConfig } from '../../gateway/config.ts';
import { createHub, type Hub } from '../../gateway/server.ts';
import { seedDemoProvince } from '../support/fixture-province.ts';
import { testConfig } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';

const logger = pino({ level: 'silent' });
const YEN_THE = '000.00.12.H06';
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

const person = (id: string, fullName: string): Staff => ({
  id,
  fullName,
  birthDate: '1985-04-12',
  gender: 'FEMALE',
  unitCode: YEN_THE,
  category: 'CIVIL_SERVANT',
  rankCode: null,
  position: null,
  qualification: null,
  meetsStandard: true,
  status: 'SERVING',
  sourceUpdatedAt: new Date('2025-06-01T00:00:00Z'),
});

// staff(first: 1) is ordered by personnel number: NV-E2E-01 comes first.
const STAFF_NAMES = 'query StaffNames { staff(first: 1) { edges { node { staffId fullName } } } }';

describe.each(testBackends)('audit log end to end on %s', (backend) => {
  let store: TestStore;
  let hub: Hub;
  let port: number;
  let apiKey: string;
  let consumerId: string;

  const entries = () =>
    store.db.query<{
      id: string;
      consumer: string;
      consumerId: string;
      credential: string;
      operationName: string;
      personalData: Record<string, string[]>;
      clientAddress: string | null;
    }>(
      `SELECT id::text AS id, consumer, consumer_id::text AS "consumerId", credential, operation_name AS "operationName",
              personal_data AS "personalData", client_address AS "clientAddress" FROM audit_log ORDER BY id`,
    );

  beforeAll(async () => {
    store = await openTestStore(backend);
    await seedDemoProvince(store.db);
    await upsertStaff(store.db, [person('NV-E2E-02', 'Trần Văn Bình'), person('NV-E2E-01', 'Nguyễn Thị Hoa')]);
    consumerId = (await createConsumer(store.db, { name: 'so-noi-vu', scopes: ['read:staff', 'read:pii'] })).id;
    apiKey = (await issueApiKey(store.db, 'so-noi-vu')).apiKey;
    hub = createHub(testConfig({ SHUTDOWN_TIMEOUT_MS: 2_000 }), {
      db: store.db,
      logger,
      authenticate: createAuthenticator({ db: store.db, config: loadConfig({ HUB_MODE: 'production' }), logger }),
    });
    port = (await hub.listen(0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await hub?.stop();
    await store?.dispose();
  });

  it('records a name read over HTTP: the field, the person, the consumer and the client address', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: STAFF_NAMES }),
    });
    expect(await response.json()).toEqual({
      data: { staff: { edges: [{ node: { staffId: 'NV-E2E-01', fullName: 'Nguyễn Thị Hoa' } }] } },
    });
    expect(await entries()).toEqual([
      {
        id: '1',
        consumer: 'so-noi-vu',
        consumerId,
        credential: 'API_KEY',
        operationName: 'StaffNames',
        // Only the person returned: NV-E2E-02 was not.
        personalData: { 'Staff.fullName': ['NV-E2E-01'] },
        clientAddress: expect.stringMatching(LOOPBACK),
      },
    ]);
  });

  it('records the same read over graphql-ws, with the client address of the socket', async () => {
    const before = (await entries()).length;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, ['graphql-transport-ws']);
    const messages: any[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      waiters.splice(0).forEach((wake) => wake());
    });
    const closed = once(socket, 'close').then(([code, reason]) => {
      throw new Error(`closed ${code} ${reason}`);
    });
    closed.catch(() => {}); // awaited below only while a message is awaited
    const received = async (count: number) => {
      while (messages.length < count) await Promise.race([new Promise<void>((wake) => waiters.push(wake)), closed]);
    };
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${apiKey}` } }));
    await received(1); // connection_ack: operations may follow
    socket.send(JSON.stringify({ type: 'subscribe', id: 'names', payload: { query: STAFF_NAMES } }));
    await received(3); // next, complete
    socket.close(1000);
    expect(messages).toEqual([
      { type: 'connection_ack' },
      {
        id: 'names',
        type: 'next',
        payload: { data: { staff: { edges: [{ node: { staffId: 'NV-E2E-01', fullName: 'Nguyễn Thị Hoa' } }] } } },
      },
      { id: 'names', type: 'complete' },
    ]);
    const log = await entries();
    expect(log).toHaveLength(before + 1);
    expect(log.at(-1)).toEqual({
      id: String(before + 1),
      consumer: 'so-noi-vu',
      consumerId,
      credential: 'API_KEY',
      operationName: 'StaffNames',
      personalData: { 'Staff.fullName': ['NV-E2E-01'] },
      clientAddress: expect.stringMatching(LOOPBACK),
    });
    // No AUDIT_KEY given to this hub: a plain SHA-256 chain, intact.
    expect(await verifyAuditChain(store.db, undefined)).toMatchObject({ ok: true, checked: before + 1 });
  });
});
