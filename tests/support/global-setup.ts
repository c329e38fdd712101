/**
 * Before a run against TEST_DATABASE_URL: drop the schemas that earlier runs
 * left behind when they were killed before their own clean-up (each schema is
 * named after the process that made it, so a live run's are left alone).
 */
import pg from 'pg';

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
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname ~ '^test_[0-9]+_[0-9a-f]{8}$'`,
    );
    for (const { name } of rows) {
      if (!isAlive(Number(name.split('_')[1]))) await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
  } finally {
    await client.end();
  }
}
