/**
 * `npm run contract:check` as a process against the mock upstreams on real
 * sockets (issue 25): each mock passes its contract; a mock whose records
 * carry a renamed field (the `renamed-field` drill) fails, naming the field
 * the contract misses and the one it does not know. Nothing is written: the
 * check opens no store.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockWorld } from '../../connectors/mock/generator/world.ts';
import type { MockUpstreams } from '../../connectors/mock/server.ts';
import { startMocks } from '../support/sync-rig.ts';

function contractCheck(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/contract-check.ts', ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run contract:check', { timeout: 60_000 }, () => {
  let mocks: MockUpstreams;
  beforeAll(async () => {
    mocks = await startMocks(createMockWorld({ scale: 'tiny' }));
  });
  afterAll(async () => {
    await mocks?.close();
  });

  it.each([
    ['ONE_STOP_SHOP', 'oneStopShop', ['one-stop-shop/procedures', 'one-stop-shop/dossiers']],
    ['CADRE_DB', 'cadreDb', ['cadre-db/units', 'cadre-db/staff']],
    ['BUDGET', 'budget', ['budget/psu-finance', 'budget/execution', 'budget/investment']],
  ] as const)('passes the %s mock', async (source, upstream, feeds) => {
    const { code, stdout, stderr } = await contractCheck([`--source=${source}`, `--url=${mocks.urls[upstream]}`]);
    expect(stderr).toBe('');
    expect(stdout).toContain(`contract check of ${source} at ${mocks.urls[upstream]}`);
    for (const feed of feeds)
      expect(stdout).toMatch(
        new RegExp(
          `^${feed}: \\d+ page\\(s\\) read; \\d+ pass, 0 would be stored with flaws, 0 would be quarantined$`,
          'm',
        ),
      );
    expect(stdout).not.toContain('unknown fields');
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^passed/);
    expect(code).toBe(0);
  });

  it('fails a mock whose dossiers renamed a field, naming it', async () => {
    mocks.faults.oneStopShop.add({ fault: 'renamed-field', path: '/api/dossiers' });
    try {
      const { code, stdout } = await contractCheck([
        '--source=ONE_STOP_SHOP',
        `--url=${mocks.urls.oneStopShop}`,
        '--pages=2',
      ]);
      expect(code).toBe(1);
      // The procedures are untouched; every dossier of the 2 pages read is held for the missing reception time …
      expect(stdout).toMatch(/^one-stop-shop\/procedures: .* 0 would be quarantined$/m);
      const dossiers =
        /^one-stop-shop\/dossiers: 2 page\(s\) read; 0 pass, 0 would be stored with flaws, (\d+) would be quarantined$/m.exec(
          stdout,
        );
      expect(dossiers, stdout).not.toBeNull();
      const held = Number(dossiers![1]);
      expect(held).toBeGreaterThan(0);
      expect(stdout).toContain('MaDonVi');
      // … and the new name arrives on each of them as a field the contract does not know.
      expect(stdout).toContain(`${held} × MaDonViXuLy`);
      expect(stdout.trim().split('\n').at(-1)).toBe('FAILED: records would be quarantined or a feed could not be read');
    } finally {
      mocks.faults.oneStopShop.clear();
    }
  });

  it('refuses a usage error with exit 2', async () => {
    const { code, stderr } = await contractCheck(['--source=NOPE', '--url=http://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toContain('--source must be one of ONE_STOP_SHOP, CADRE_DB, BUDGET');
  });
});
