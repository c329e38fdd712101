/**
 * The IOC dashboard in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, against a hub on real sockets whose store was synced from
 * the mock upstreams. It opens /dashboard, picks a unit, reads the indicator
 * values the hub computes, then the mock world's clock advances, a sync runs,
 * and a new alert appears on the page without a reload.
 *
 * Skipped, with the reason, when /usr/bin/chromium is absent (a bare machine
 * runs `npm test` without it; CI installs it: see .ci/run). A screenshot is
 * saved to .ci/out/dashboard.png as a test artifact.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import type { MockWorld } from '../../connectors/mock/world.ts';
import type { LiveProducer } from '../../live/producer.ts';
import type { SyncEngine } from '../../connectors/sync/engine.ts';
import { latestLiveEventId, liveEventsAfter, LIVE_TOPIC, type AlertPayload } from '../../store/live-events.ts';
import { GraphQLError } from 'graphql';
// The dashboard's key indicators, every one higher-is-better.
import { KEY_INDICATORS } from '../../gateway/dashboard/documents.js';
import { startTestHub, testViewer, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../support/chromium.ts';
import { liveSyncRig, startMocks, type LiveSyncRig } from '../support/sync-rig.ts';

const OUT = fileURLToPath(new URL('../../.ci/out/', import.meta.url));

/** The province: every unit is in its subtree, so every alert of the simulated province is its alert too. */
const PROVINCE = { code: '000.00.00.H40', search: 'bac giang', name: 'UBND tỉnh Bắc Giang' };
const HOUR = 3_600_000;
const ADMIN = 'e2e-admin';
/**
 * A pass that waits its turn: on PostgreSQL the sync lock is the server's, so another suite syncing on the same
 * server (in another schema) holds it for a moment; without waitMs the pass would fail with SyncBusyError.
 */
const PASS = { trigger: 'COMMAND', waitMs: 45_000 } as const;
/** Long enough for a query or a sync's events to reach the page on a busy two-core machine. */
const POLL = { timeout: 15_000, interval: 100 };

if (!hasChromium) {
  console.warn(`tests/e2e/dashboard.test.ts skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}

// One backend is enough for a browser test: PostgreSQL when there is one, as in production.
const backend = testBackends.at(-1)!;

describe.skipIf(!hasChromium)(`dashboard in Chromium on ${backend} (needs ${CHROMIUM})`, () => {
  let store: TestStore;
  let world: MockWorld;
  let mocks: MockUpstreams;
  let rig: LiveSyncRig;
  let hub: TestHub;
  let producer: LiveProducer;
  let engine: SyncEngine;
  let browser: Browser;

  beforeAll(async () => {
    store = await openTestStore(backend);
    world = createMockWorld({ scale: 'tiny' });
    mocks = await startMocks(world);
    hub = await startTestHub(store.db, { adminToken: ADMIN });
    // As gateway/main.ts wires it: the sync engine tells the live producer what it committed; the producer logs
    // the events and publishes them on the hub's pubsub, where the subscriptions pick them up. Everything on the
    // simulated province's clock.
    rig = liveSyncRig(store.db, world, mocks, (event) => hub.hub.pubsub.publish(LIVE_TOPIC, event));
    ({ producer, engine } = rig);
    const first = await engine.runAll(PASS);
    expect(first.map((r) => r.error)).toEqual([null, null, null]);
    await producer.idle();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    await hub?.hub.stop();
    await mocks?.close();
    await store?.dispose();
  });

  /** The hub's own figures for the dashboard's key indicators, straight from the graph. */
  async function hubIndicators(unitCode: string, period: string) {
    const { data, errors } = await hub.gql<{ indicators: { code: string; value: number | null; unit: string }[] }>(
      `query ($unitCode: String!, $period: String!, $codes: [String!]!) {
        indicators(unitCode: $unitCode, period: $period, codes: $codes) { code value unit }
      }`,
      { unitCode, period, codes: KEY_INDICATORS },
    );
    expect(errors).toBeUndefined();
    return data!.indicators;
  }

  async function pickUnit(page: Page, search: string, name: string) {
    await page.getByRole('combobox').fill(search);
    const option = page.getByRole('option', { name: new RegExp(`^${name}`) });
    await option.click();
    await expect.poll(() => page.getByRole('combobox').inputValue(), POLL).toBe(name);
  }

  it('shows a unit’s indicators, then a new alert after a sync, without reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The period the mock world's clock is in (the page would otherwise take the browser's year).
    const period = world.now().toISOString().slice(0, 4);
    await page.goto(`${hub.url}/dashboard?period=${period}`);
    // Vietnamese by default.
    await expect.poll(() => page.locator('h1').textContent(), POLL).toBe('Trung tâm điều hành — Chỉ số trực tiếp');
    await expect.poll(() => page.locator('html').getAttribute('lang'), POLL).toBe('vi');

    await pickUnit(page, PROVINCE.search, PROVINCE.name);
    await expect.poll(() => page.locator('#period-input').inputValue(), POLL).toBe(period);
    const expected = await hubIndicators(PROVINCE.code, period);
    for (const { code, value } of expected) {
      expect(value, `${code} has a value in the synced province`).not.toBeNull();
      // vi-VN: a decimal comma, at most one decimal, and a spaced percent sign.
      const text = `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(value!)} %`;
      await expect.poll(() => page.locator(`[data-code="${code}"] .card-value`).textContent(), POLL).toBe(text);
    }
    await expect.poll(() => page.locator('#live-status').getAttribute('data-state'), POLL).toBe('open');

    // English on demand, with English separators.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect.poll(() => page.locator('h1').textContent(), POLL).toBe('Operations centre — live indicators');
    const onTime = expected.find((i) => i.code === 'ON_TIME_RATE')!.value!;
    const english = `${new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(onTime)}%`;
    await expect.poll(() => page.locator('[data-code="ON_TIME_RATE"] .card-value').textContent(), POLL).toBe(english);
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();

    // A marker a reload would wipe out.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await page.locator('#alerts li').count()).toBe(0);

    // The province sets each key indicator's target for the year at its value now (a hair below, so that the
    // value meets it whatever the rounding): any of them that the next sync lowers crosses its target, and the
    // producer raises an INDICATOR_TARGET_MISSED alert.
    for (const { code, value } of expected) {
      const set = await hub.gql(
        `mutation ($code: String!, $unitCode: String!, $year: Int!, $target: Float!) {
          setIndicatorTarget(code: $code, unitCode: $unitCode, year: $year, target: $target) { target }
        }`,
        { code, unitCode: PROVINCE.code, year: Number(period), target: Math.floor(value! * 1e4) / 1e4 },
        ADMIN,
      );
      expect(set.errors).toBeUndefined();
    }

    // A day and a bit passes upstream: dossiers arrive and finish; the next sync tells the page.
    const lastBefore = (await latestLiveEventId(store.db)) ?? '0';
    world.advance(30 * HOUR);
    const results = await engine.runAll(PASS);
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
    await producer.idle();
    const logged = await liveEventsAfter(store.db, {
      afterId: lastBefore,
      kinds: ['ALERT'],
      unitCode: PROVINCE.code,
      limit: 10_000,
    });
    expect(logged.length, 'the sync raised alerts for the province').toBeGreaterThan(0);

    // Every alert the sync raised is on the page, newest first (the page keeps the latest 40).
    const alertIds = () => page.locator('#alerts li').evaluateAll((items) => items.map((li) => li.dataset.eventId));
    const newestFirst = logged.map((event) => event.id).reverse();
    await expect.poll(alertIds, POLL).toEqual(newestFirst.slice(0, 40));
    const newest = logged.at(-1)!.payload as AlertPayload;
    expect(await page.locator('#alerts li .feed-message').first().textContent()).toBe(newest.messageVi);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // So is every dossier event of the province's subtree (the latest 40 of them), with the dossier's details.
    const dossierEvents = await liveEventsAfter(store.db, {
      afterId: lastBefore,
      kinds: ['DOSSIER'],
      unitCode: PROVINCE.code,
      provinceWide: false,
      limit: 10_000,
    });
    expect(dossierEvents.length, 'the sync told of dossiers').toBeGreaterThan(0);
    const dossierIds = () =>
      page.locator('#dossier-events li').evaluateAll((items) => items.map((li) => li.dataset.eventId));
    await expect.poll(dossierIds, POLL).toEqual(
      dossierEvents
        .map((event) => event.id)
        .reverse()
        .slice(0, 40),
    );

    // The indicator cards follow the sync too: they show what the hub computes now.
    const after = await hubIndicators(PROVINCE.code, period);
    expect(
      after.some((a, i) => a.value !== expected[i]!.value),
      'the sync changed some key indicator',
    ).toBe(true);
    for (const { code, value } of after) {
      const text = `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(value!)} %`;
      await expect.poll(() => page.locator(`[data-code="${code}"] .card-value`).textContent(), POLL).toBe(text);
    }

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}dashboard.png`, fullPage: true });
    // Alerts carry both languages: the English view shows the English message.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect
      .poll(() => page.locator('#alerts li .feed-message').first().textContent(), POLL)
      .toBe(newest.messageEn);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000); // a sync may wait for another suite's pass on a shared PostgreSQL (PASS.waitMs)

  it('asks for an API key when the hub wants one, and keeps it for the session', async () => {
    const KEY = 'ioc-wall-key';
    const wall = testViewer('ioc-wall', ['read:aggregates', 'read:dossiers', 'subscribe']);
    // Production mode in small: no credential or a wrong one is a 401, as gateway/policy/auth answers.
    // A second hub on the same store; stopping it must not close the store the first one still uses.
    const keyed = await startTestHub(
      { ...store.db, close: async () => {} },
      {
        authenticate: async (request) => {
          if (request.headers.get('authorization') === `Bearer ${KEY}`) return wall;
          throw new GraphQLError('an API key is required', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        },
      },
    );
    const page = await browser.newPage();
    try {
      const period = world.now().toISOString().slice(0, 4);
      await page.goto(`${keyed.url}/dashboard?unit=${PROVINCE.code}&period=${period}&lang=en`);
      const keyField = page.getByLabel('API key', { exact: true });
      await keyField.waitFor({ timeout: POLL.timeout });
      expect(await page.locator('#indicator-cards .card-value data').count()).toBe(0);

      await keyField.fill('not-the-key');
      await page.getByRole('button', { name: 'Use key' }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), POLL).toMatch(/not valid or has been revoked/);
      await expect.poll(() => keyField.isVisible(), POLL).toBe(true);

      await keyField.fill(KEY);
      await page.getByRole('button', { name: 'Use key' }).click();
      await expect.poll(() => page.locator('#indicator-cards .card-value data').count(), POLL).toBe(7);
      await expect.poll(() => page.getByRole('combobox').inputValue(), POLL).toBe(PROVINCE.name);
      await expect.poll(() => keyField.isVisible(), POLL).toBe(false);
      // The subscriptions, which wait for a key rather than retrying without one, are live with it.
      await expect.poll(() => page.locator('#live-status').getAttribute('data-state'), POLL).toBe('open');
      expect(await page.evaluate(() => sessionStorage.getItem('lgsp-hub.dashboard.apiKey'))).toBe(KEY);
    } finally {
      await page.close();
      await keyed.hub.stop();
    }
  });
});
