/**
 * GraphiQL (GET /graphql in development mode) in a real browser with the network cut off from everything but the
 * hub: every request to another origin is aborted and recorded, as a provincial network that blocks public CDNs
 * would. The page must render, start its editor's web workers from blob: URLs (inlined in the page, no fetch),
 * introspect the schema (the documentation explorer lists the root types) and run its example query.
 *
 * Skipped, with the reason, when /usr/bin/chromium is absent (see tests/e2e/dashboard.test.ts).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { openTestStore, testBackends, type TestStore } from '../support/store.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../support/chromium.ts';

/** The page is about 9 MB of inlined script: generous on a busy two-core machine. */
const LOAD = { timeout: 60_000 };

if (!hasChromium)
  console.warn(`tests/e2e/graphiql.test.ts skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);

const backend = testBackends[0]!;

describe.skipIf(!hasChromium)(`GraphiQL in Chromium, offline but for the hub (needs ${CHROMIUM})`, () => {
  let store: TestStore;
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    store = await openTestStore(backend);
    // CSRF prevention on, as in production defaults: GraphiQL's requests must pass it.
    hub = await startTestHub(store.db, { config: { CSRF: true } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.hub.stop();
    await store?.dispose();
  });

  it('loads with its assets from the hub alone, starts its workers from blob: URLs, and runs a query', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const hubOrigin = new URL(hub.url).origin;
    const blocked: string[] = [];
    const fetched: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === hubOrigin) {
        fetched.push(url);
        return route.continue();
      }
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${hub.url}/graphql`, LOAD);
    await page.locator('.graphiql-execute-button').waitFor(LOAD);
    // The example query is in the editor; run it (the hub answers from its store: an empty page of units here).
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.graphiql-response').innerText(), LOAD).toMatch(/"units":\s*\{\s*"edges"/);
    // Introspection worked: the documentation explorer lists the schema's root types.
    await page.getByLabel('Show Documentation Explorer').click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), LOAD).toContain('Query');

    expect(blocked).toEqual([]);
    expect(pageErrors).toEqual([]);
    // Monaco's editor, JSON and GraphQL workers, from the page's own inlined text.
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((url) => url.startsWith('blob:'))).toBe(true);
    // What went over the network: the page and its GraphQL requests, nothing else.
    expect(fetched.every((url) => new URL(url).pathname === '/graphql')).toBe(true);
    await page.close();
  }, 120_000);
});
