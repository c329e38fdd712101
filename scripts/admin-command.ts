/**
 * What the administration commands (`npm run consumer`, `npm run documents`)
 * share: how they parse, fail and print, and the run itself — configuration,
 * the store, its migrations, the command, closing. Exit codes: 0 done, 1 the
 * command failed (its message on stderr), 2 a usage or configuration error.
 */
import { ConfigError, loadConfig, type Config } from '../gateway/config.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openConfiguredStore } from './store.ts';

/** A command line that names no known command, or misses an argument: the usage follows the message. */
export class UsageError extends Error {}

/** Rows as aligned columns, two spaces apart, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface AdminCommand<Command> {
  /** `consumer`, `documents`: prefixes every message. */
  name: string;
  usage: string;
  /** Reads the command line; throws UsageError (or parseArgs' own errors) when it cannot. */
  parse(): Command;
  /** Work done before the store is opened (reading and checking files); throws to fail with exit 1. */
  prepare?(command: Command, config: Config): void;
  run(db: Db, command: Command): Promise<void>;
  /** Runs the command without the store when it can (through a running hub): true when done, false to open the store. */
  runElsewhere?(command: Command, config: Config): Promise<boolean>;
  /** Errors whose message is the whole story (a consumer that does not exist …): printed without "failed:". */
  isExpected(error: unknown): boolean;
}

export function exitWith(name: string, code: number, message?: string): never {
  if (message) process.stderr.write(`lgsp-hub ${name}: ${message}\n`);
  process.exit(code);
}

/** The command line, read by `parse`, and the configuration; or exit 2: with the usage after a UsageError's message. */
export function parseCommandLine<Command>(
  name: string,
  usage: string,
  parse: () => Command,
): { command: Command; config: Config } {
  try {
    return { command: parse(), config: loadConfig() };
  } catch (error) {
    if (error instanceof UsageError) exitWith(name, 2, `${error.message}\n${usage}`);
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      exitWith(name, 2, (error as Error).message);
    }
    throw error;
  }
}

export async function runAdminCommand<Command>(admin: AdminCommand<Command>): Promise<void> {
  const exit = (code: number, message?: string) => exitWith(admin.name, code, message);
  const { command, config } = parseCommandLine(admin.name, admin.usage, () => admin.parse());
  try {
    admin.prepare?.(command, config);
  } catch (error) {
    if (admin.isExpected(error)) exit(1, (error as Error).message);
    throw error;
  }
  try {
    if (await admin.runElsewhere?.(command, config)) return;
  } catch (error) {
    if (admin.isExpected(error)) exit(1, (error as Error).message);
    exit(1, `failed: ${(error as Error).message}`);
  }
  const db = await openConfiguredStore(config, 1, (message) => exit(1, message));
  try {
    await migrate(db);
    await admin.run(db, command);
    await db.close();
  } catch (error) {
    await db.close().catch(() => {});
    if (admin.isExpected(error)) exit(1, (error as Error).message);
    exit(1, `failed: ${(error as Error).message}`);
  }
}
