/**
 * Writes the GraphQL schema to schema.graphql (committed, so reviewers and
 * frontend teams see every change to the graph). With --check it writes
 * nothing and exits 1 when the committed file is stale (CI runs that).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { hubSchema } from '../schema/index.ts';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = `${printSchema(hubSchema())}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // a missing file is stale too
  }
  if (committed !== printed) {
    process.stderr.write('schema.graphql is stale: run `npm run schema:export` and commit the result\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql is up to date\n');
} else {
  writeFileSync(target, printed);
  process.stdout.write(`wrote ${target}\n`);
}
