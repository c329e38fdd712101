/**
 * `npm run consumer -- add|key|list|set-scopes|revoke|revoke-key` (see USAGE): manages
 * the hub's consumers and their API keys. A key is printed once, when issued:
 * store it then. Revoking a consumer or one of its keys stops it working at
 * once. The store is the hub's (DATABASE_URL or PGLITE_DIR): an embedded
 * PGlite directory serves one process at a time, so stop the hub first, or
 * share a PostgreSQL store with DATABASE_URL. Exit codes: admin-command.ts.
 */
import { parseArgs } from 'node:util';
import { SCOPES } from '../store/access.ts';
import {
  checkScopes,
  ConsumerError,
  createConsumer,
  issueApiKey,
  listConsumers,
  revokeApiKey,
  revokeConsumer,
  setConsumerScopes,
} from '../store/consumers.ts';
import type { Db } from '../store/db.ts';
import { runAdminCommand, table, UsageError } from './admin-command.ts';

const USAGE = `usage:
  npm run consumer -- add <name> --scopes <scope,scope…> [--unit CODE] [--description TEXT]
  npm run consumer -- key <name>
  npm run consumer -- list
  npm run consumer -- set-scopes <name> <scope,scope…>
  npm run consumer -- revoke <name>
  npm run consumer -- revoke-key <keyId>
scopes: ${SCOPES.join(', ')}`;

type Command =
  | { name: 'add'; consumer: string; scopes: string[]; unit: string | null; description: string | null }
  | { name: 'set-scopes'; consumer: string; scopes: string[] }
  | { name: 'key' | 'revoke'; consumer: string }
  | { name: 'revoke-key'; keyId: string }
  | { name: 'list' };

function command(): Command {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scopes: { type: 'string' },
      unit: { type: 'string' },
      description: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [name, target, ...extra] = positionals;
  // set-scopes takes its scopes as the second argument.
  const scopeList = name === 'set-scopes' ? extra.shift() : undefined;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const onlyFor = (option: 'scopes' | 'unit' | 'description') => {
    if (values[option] !== undefined && name !== 'add') throw new UsageError(`--${option} is for add only`);
  };
  (['scopes', 'unit', 'description'] as const).forEach(onlyFor);
  const needTarget = (what: string) => {
    if (!target) throw new UsageError(`${name} needs a ${what}`);
    return target;
  };
  switch (name) {
    case 'add': {
      const consumer = needTarget('consumer name');
      if (!values.scopes) throw new UsageError('add needs --scopes (comma-separated)');
      const scopes = values.scopes
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      try {
        checkScopes(scopes);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      return { name, consumer, scopes, unit: values.unit ?? null, description: values.description ?? null };
    }
    case 'set-scopes': {
      const consumer = needTarget('consumer name');
      if (!scopeList) throw new UsageError('set-scopes needs the scopes (comma-separated)');
      const scopes = scopeList
        .split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      try {
        checkScopes(scopes);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      return { name, consumer, scopes };
    }
    case 'key':
    case 'revoke':
      return { name, consumer: needTarget('consumer name') };
    case 'revoke-key':
      return { name, keyId: needTarget('key id (the part after lgsp_)') };
    case 'list':
      if (target) throw new UsageError(`unexpected argument: ${target}`);
      return { name };
    default:
      throw new UsageError(name ? `unknown command ${JSON.stringify(name)}` : 'no command given');
  }
}

async function run(db: Db, cmd: Command): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (cmd.name) {
    case 'add': {
      const consumer = await createConsumer(db, {
        name: cmd.consumer,
        scopes: cmd.scopes,
        unitCode: cmd.unit,
        description: cmd.description,
      });
      if (cmd.unit) {
        const [known] = await db.query('SELECT 1 FROM units WHERE code = $1', [cmd.unit]);
        if (!known) {
          process.stderr.write(
            `warning: unit ${cmd.unit} is not in the store (not synced yet, or a typo): until it is, ` +
              `${cmd.consumer} sees no unit-scoped data\n`,
          );
        }
      }
      out(`added ${consumer.name}: ${consumer.scopes.join(', ')}; ${consumer.unitCode ?? 'whole province'}`);
      out(`next: npm run consumer -- key ${consumer.name}`);
      return;
    }
    case 'key': {
      const { keyId, apiKey } = await issueApiKey(db, cmd.consumer);
      process.stderr.write(`API key ${keyId} for ${cmd.consumer}; it is shown this once, store it now:\n`);
      out(apiKey);
      return;
    }
    case 'list': {
      const consumers = await listConsumers(db);
      if (consumers.length === 0) {
        out('no consumers yet: npm run consumer -- add <name> --scopes …');
        return;
      }
      out(
        table([
          ['NAME', 'SCOPES', 'UNIT', 'KEYS', 'REVOKED'],
          ...consumers.map((c) => [
            c.name,
            c.scopes.join(','),
            c.unitCode ?? '(province)',
            String(c.activeKeys),
            c.revokedAt?.toISOString() ?? '',
          ]),
        ]),
      );
      return;
    }
    case 'set-scopes': {
      const { before, after } = await setConsumerScopes(db, cmd.consumer, cmd.scopes);
      out(
        `${after.name}: scopes ${before.join(',')} → ${after.scopes.join(',')} (from each credential's next request)`,
      );
      return;
    }
    case 'revoke': {
      const consumer = await revokeConsumer(db, cmd.consumer);
      out(`revoked ${consumer.name}: its keys and JWTs are refused from now on`);
      return;
    }
    case 'revoke-key': {
      const { keyId, consumer } = await revokeApiKey(db, cmd.keyId);
      out(`revoked API key ${keyId} of ${consumer}`);
      return;
    }
  }
}

await runAdminCommand({
  name: 'consumer',
  usage: USAGE,
  parse: command,
  run,
  isExpected: (error) => error instanceof ConsumerError,
});
