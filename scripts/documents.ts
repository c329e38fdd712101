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
 * time. `register` with `--hub URL --key KEY` (or HUB_URL and HUB_API_KEY)
 * registers through that running hub (its registerTrustedDocuments mutation,
 * with an API key of the `admin` scope), where the documents run at once;
 * without --hub, or when the hub cannot be reached and the store is surely
 * its (DATABASE_URL set, or a hub on this machine), it writes the store
 * itself: an embedded PGlite directory serves one process at a time, so the
 * hub must be stopped then, or share a PostgreSQL store.
 */
import { parseArgs } from 'node:util';
import type { Db } from '../store/db.ts';
import {
  listTrustedDocuments,
  registerTrustedDocuments,
  removeTrustedDocument,
  TrustedDocumentError,
  type NewTrustedDocument,
  type Registration,
} from '../store/trusted-documents.ts';
import { REGISTER_DOCUMENTS } from '../gateway/policy/documents/registration.ts';
import { registerDashboardDocuments } from '../gateway/policy/documents/dashboard.ts';
import { prepareDocument, readDocumentFiles } from '../gateway/policy/documents/documents-files.ts';
import { hubSchema } from '../schema/index.ts';
import { hubSettings } from '../gateway/hub-settings.ts';
import { createDocumentCheck } from '../gateway/policy/limits/document-check.ts';
import type { LimitSettings } from '../gateway/policy/limits/settings.ts';
import type { Config } from '../gateway/config.ts';
import { runAdminCommand, table, UsageError } from './admin-command.ts';

// register reads .graphql/.gql files (one document each) or JSON manifests ({ "sha256:<hex>" or "<hex>": "<document>" },
// as graphql-codegen's client preset writes them, or Apollo's).
const USAGE = `usage:
  npm run documents -- register <file.graphql|manifest.json …> [--client NAME] [--hub URL --key API_KEY]
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
      /** The running hub to register through (--hub, HUB_URL) and the admin API key it takes (--key, HUB_API_KEY). */
      hub: { url: string; key: string } | null;
      /** Set by prepare: the files' documents, checked, and the limits the hub runs with. */
      documents?: NewTrustedDocument[];
      limits?: Partial<LimitSettings>;
    }
  | { name: 'show' | 'remove'; id: string }
  | { name: 'list' };

function command(): Command {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      client: { type: 'string' },
      dashboard: { type: 'boolean' },
      hub: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [name, ...rest] = positionals;
  const flagged = [values.client, values.dashboard, values.hub, values.key].some((value) => value !== undefined);
  if (flagged && name !== 'register')
    throw new UsageError('--client, --dashboard, --hub and --key are for register only');
  switch (name) {
    case 'register': {
      if (rest.length === 0 && !values.dashboard)
        throw new UsageError('register needs at least one file, or --dashboard');
      const url = values.hub ?? process.env.HUB_URL;
      const key = values.key ?? process.env.HUB_API_KEY;
      if (url && !URL.canParse(url)) throw new UsageError(`--hub ${JSON.stringify(url)} is not a URL`);
      if (url && !key) throw new UsageError('--hub needs an API key of the admin scope: --key or HUB_API_KEY');
      if (url && values.dashboard)
        throw new UsageError("--dashboard writes the store: not with --hub (a hub's start registers them)");
      return {
        name,
        files: rest,
        client: values.client ?? null,
        dashboard: values.dashboard ?? false,
        hub: url && key ? { url, key } : null,
      };
    }
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

function report(registrations: readonly Registration[]) {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  for (const { id, operationNames, outcome } of registrations) {
    out(`${outcome === 'unchanged' ? 'registered already' : outcome} ${id} ${names(operationNames)}`);
  }
  const added = registrations.filter((r) => r.outcome !== 'unchanged').length;
  out(`${registrations.length} document(s): ${added} added or restored, ${registrations.length - added} unchanged`);
}

/** Why a request to the hub got no answer, when it is a network error: the hub is not there (or not reachable). */
function unreachable(error: unknown): string | null {
  if (!(error instanceof TypeError)) return null;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? error.message);
}

/** Host names of this machine: a hub there uses this machine's embedded store (PGLITE_DIR). */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What one request to the hub carries at most, well under its body limit (MAX_BODY_BYTES, 100 KiB by default). */
const BATCH_BYTES = 64 * 1024;

/** The documents in batches of at most BATCH_BYTES of text (a bigger document alone). */
function batches(documents: readonly NewTrustedDocument[]): NewTrustedDocument[][] {
  const result: NewTrustedDocument[][] = [];
  let bytes = Infinity;
  for (const document of documents) {
    const size = Buffer.byteLength(JSON.stringify(document.document));
    if (bytes + size > BATCH_BYTES) {
      result.push([]);
      bytes = 0;
    }
    result.at(-1)!.push(document);
    bytes += size;
  }
  return result;
}

type HubRegistration = { id: string; operationNames: string[]; outcome: string };

/**
 * Registers the documents through the running hub (its registerTrustedDocuments mutation, a request per batch):
 * false when the hub cannot be reached (the store is written instead); a refusal (a bad key, a document the hub's
 * limits refuse) is an error, after which the batches already sent stay registered.
 */
async function registerThroughHub(cmd: Command & { name: 'register' }, config: Config): Promise<boolean> {
  const { hub, documents = [] } = cmd;
  if (!hub) return false;
  // --hub https://hub.example.vn, or its /graphql, behind a proxy's path too.
  const endpoint = new URL(`${hub.url.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`);
  const registrations: Registration[] = [];
  for (const batch of batches(documents)) {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${hub.key}`,
        },
        body: JSON.stringify({
          query: REGISTER_DOCUMENTS,
          variables: { documents: batch.map(({ document }) => ({ text: document })), client: cmd.client },
        }),
      });
    } catch (error) {
      const why = unreachable(error);
      if (why === null || registrations.length > 0) throw error;
      // The store to write instead must be the hub's: a shared PostgreSQL, or this machine's for a hub on it. A
      // pipeline that cannot reach a remote hub fails rather than fill a store of its own.
      if (!config.DATABASE_URL && !LOOPBACK.has(endpoint.hostname)) {
        throw new TrustedDocumentError(
          `no hub at ${endpoint.origin} (${why}), and no DATABASE_URL to write its store directly: nothing registered`,
        );
      }
      process.stderr.write(`lgsp-hub documents: no hub at ${endpoint.origin} (${why}): writing the store directly\n`);
      return false;
    }
    const body = (await response.json().catch(() => null)) as {
      data?: { registerTrustedDocuments?: HubRegistration[] } | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    const registered = body?.data?.registerTrustedDocuments;
    if (!registered) {
      const why = body?.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ');
      throw new TrustedDocumentError(
        `the hub at ${endpoint.origin} refused (HTTP ${response.status}): ${why ?? 'no answer'}` +
          (registrations.length > 0 ? ` (${registrations.length} document(s) registered before)` : ''),
      );
    }
    registrations.push(
      ...registered.map((r) => ({ ...r, outcome: r.outcome.toLowerCase() as Registration['outcome'] })),
    );
  }
  report(registrations);
  return true;
}

async function run(db: Db, cmd: Command): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (cmd.name) {
    case 'register': {
      const registrations = [
        ...(cmd.files.length > 0 ? await registerTrustedDocuments(db, cmd.documents ?? [], cmd.client) : []),
        ...(cmd.dashboard ? await registerDashboardDocuments(db, { restoreRemoved: true, limits: cmd.limits }) : []),
      ];
      report(registrations);
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
  runElsewhere: (cmd, config) => (cmd.name === 'register' ? registerThroughHub(cmd, config) : Promise.resolve(false)),
  isExpected: (error) => error instanceof TrustedDocumentError,
});
