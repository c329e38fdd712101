import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  });

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** Every environment variable the hub reads, with its default. The README's configuration table mirrors this. */
const configSchema = z.object({
  PORT: integer(0, 65_535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  DATABASE_POOL_MAX: integer(1, 1000).default(10),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
    .optional(),
  PGLITE_DIR: z.string().min(1).default('./.data/pglite'),
  DEMO_DATA: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  DEMO_SCALE: z.enum(['tiny', 'demo'], { error: 'must be tiny or demo' }).default('demo'),
  ONE_STOP_SHOP_URL: url(['http', 'https']).optional(),
  CADRE_DB_URL: url(['http', 'https']).optional(),
  BUDGET_URL: url(['http', 'https']).optional(),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  SYNC_INTERVAL_SECONDS: integer(0, 86_400).default(300),
  ADMIN_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
});

export type Config = z.infer<typeof configSchema>;

/** A configuration the hub cannot start with; its message is one line naming each bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (as compose files and shells often leave them) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(given);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name} ${issue.message} (got ${JSON.stringify(redactPassword(given[name]))})`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

/** Configuration errors end up in logs: a URL's password never does. */
export const redactPassword = (value: string | undefined) => value?.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');

export function upstreamsConfigured(config: Config): boolean {
  return Boolean(config.ONE_STOP_SHOP_URL || config.CADRE_DB_URL || config.BUDGET_URL);
}
