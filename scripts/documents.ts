/**
 * `npm run documents -- register|list|show|remove` (see USAGE): manages the
 * trusted documents, the GraphQL documents a production hub runs
 * (HUB_MODE=production runs no other). A document's id is the SHA-256 (hex) of
 * its exact text; `show` and `remove` take it or its first 8 or more hex
 * digits. Every document is validated against the hub's schema, and checked
 * against the limits every request meets (MAX_QUERY_DEPTH, MAX_QUERY_COST …,
 * from the same environment as the hub's), before any is registered; registering is idempotent and restores a removed document
 * (`register --dashboard` the dashboard's own, which a hub's start only adds
 * when missing). A removed document stops running on hubs within their cache
 * time. The store is the hub's: an embedded PGlite directory serves one
 * process at a time, so stop the hub first, or share a PostgreSQL store.
 */
import { parseArgs } from 'node:util';
import type { Db } from '../store/db.ts';
import {
  listTrustedDocuments,
  registerTrustedDocuments,
  removeTrustedDocument,
  TrustedDocumentError,
  type NewTrustedDocument,
} from '../store/trusted-documents.ts';
import { registerDashboardDocuments } from '../gateway/policy/documents/dashboard.ts';
import { prepareDocument, readDocumentFiles } from '../gateway/policy/documents/documents-files.ts';
import { hubSchema } from '../schema/index.ts';
import { hubSettings } from '../gateway/hub-settings.ts';
import { createDocumentCheck } from '../gateway/policy/limits/document-check.ts';
import type { LimitSettings } from '../gateway/policy/limits/settings.ts';
import { runAdminCommand, table, UsageError } from './admin-command.ts';

// register reads .graphql/.gql files (one document each) or JSON manifests ({ "<sha256>": "<document>" } or Apollo's).
const USAGE = `usage:
  npm run documents -- register <file.graphql|manifest.json …> [--client NAME]
  npm run documents -- register --dashboard
  npm run documents -- list
  npm run documents -- show <id>
  npm run documents -- remove <id>`;

type Command =
  | {
      name: 'register';
      files: string[];
      client: string | null;
      dashboard: boolean;
      /** Set by prepare: the files' documents, checked, and the limits the hub runs with. */
      documents?: NewTrustedDocument[];
      limits?: Partial<LimitSettings>;
    }
  | { name: 'show' | 'remove'; id: string }
  | { name: 'list' };

function command(): Command {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { client: { type: 'string' }, dashboard: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [name, ...rest] = positionals;
  if ((values.client !== undefined || values.dashboard) && name !== 'register') {
    throw new UsageError('--client and --dashboard are for register only');
  }
  switch (name) {
    case 'register':
      if (rest.length === 0 && !values.dashboard)
        throw new UsageError('register needs at least one file, or --dashboard');
      return { name, files: rest, client: values.client ?? null, dashboard: values.dashboard ?? false };
    case 'show':
    case 'remove': {
      const [id, ...extra] = rest;
      if (!id) throw new UsageError(`${name} needs a document id`);
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
      return { name, id };
    }
    case 'list':
      if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      return { name };
    default:
      throw new UsageError(name ? `unknown command ${JSON.stringify(name)}` : 'no command given');
  }
}

const names = (operationNames: readonly string[]) => operationNames.join(',') || '(anonymous)';

async function run(db: Db, cmd: Command): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (cmd.name) {
    case 'register': {
      const registrations = [
        ...(cmd.files.length > 0 ? await registerTrustedDocuments(db, cmd.documents ?? [], cmd.client) : []),
        ...(cmd.dashboard ? await registerDashboardDocuments(db, { restoreRemoved: true, limits: cmd.limits }) : []),
      ];
      for (const { id, operationNames, outcome } of registrations) {
        out(`${outcome === 'unchanged' ? 'registered already' : outcome} ${id} ${names(operationNames)}`);
      }
      const added = registrations.filter((r) => r.outcome !== 'unchanged').length;
      out(`${registrations.length} document(s): ${added} added or restored, ${registrations.length - added} unchanged`);
      return;
    }
    case 'list': {
      const documents = await listTrustedDocuments(db);
      if (documents.length === 0) {
        out('no trusted documents yet: npm run documents -- register <file.graphql>');
        return;
      }
      out(
        table([
          ['ID', 'OPERATIONS', 'CLIENT', 'REGISTERED', 'REMOVED'],
          ...documents.map((d) => [
            d.id,
            names(d.operationNames),
            d.clientName ?? '',
            d.createdAt.toISOString(),
            d.removedAt?.toISOString() ?? '',
          ]),
        ]),
      );
      return;
    }
    case 'show': {
      const prefix = cmd.id.toLowerCase();
      if (!/^[0-9a-f]{8,64}$/.test(prefix)) {
        throw new TrustedDocumentError(`${JSON.stringify(cmd.id)} is not a document id (8 to 64 hex digits)`);
      }
      const matches = (await listTrustedDocuments(db)).filter((d) => d.id.startsWith(prefix));
      if (matches.length !== 1) {
        throw new TrustedDocumentError(
          matches.length === 0 ? `no trusted document with id ${prefix}` : `${prefix} names more than one document`,
        );
      }
      process.stdout.write(matches[0]!.document.endsWith('\n') ? matches[0]!.document : `${matches[0]!.document}\n`);
      return;
    }
    case 'remove': {
      const removed = await removeTrustedDocument(db, cmd.id);
      out(`removed ${removed.id} ${names(removed.operationNames)}`);
      out('running hubs stop running it once their cached copy expires (TRUSTED_DOCUMENTS_CACHE_SECONDS)');
      return;
    }
  }
}

await runAdminCommand({
  name: 'documents',
  usage: USAGE,
  parse: command,
  // Every file is read and checked, against the schema and the limits the hub runs with (the same environment's),
  // before the store is opened: a bad one registers nothing, and says so at once.
  prepare(cmd, config) {
    if (cmd.name !== 'register') return;
    cmd.limits = hubSettings(config).limits;
    const check = createDocumentCheck(hubSchema(), cmd.limits);
    cmd.documents = readDocumentFiles(cmd.files).map((text) => prepareDocument(text, check));
  },
  run,
  isExpected: (error) => error instanceof TrustedDocumentError,
});
