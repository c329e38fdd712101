/**
 * Once before a run: make (or find) the PGlite data directories every PGlite
 * store starts from (store.ts), and, against TEST_DATABASE_URL, drop the
 * schemas that earlier runs left behind when they were killed before their own
 * clean-up (each schema is named after the process that made it, so a live
 * run's are left alone).
 */
import type { TestProject } from 'vitest/node';
import { dropSchemas, pgliteTemplates } from './store.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  const [templates] = await Promise.all([
    pgliteTemplates(),
    url ? dropSchemas(url, (name) => !isAlive(Number(name.split('_')[1]))) : undefined,
  ]);
  project.provide('pgliteTemplates', templates);
}
