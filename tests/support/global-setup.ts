/**
 * Before a run against TEST_DATABASE_URL: drop the schemas that earlier runs
 * left behind when they were killed before their own clean-up (each schema is
 * named after the process that made it, so a live run's are left alone).
 */
import { dropSchemas } from './store.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export default async function dropAbandonedTestSchemas(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) await dropSchemas(url, (name) => !isAlive(Number(name.split('_')[1])));
}
