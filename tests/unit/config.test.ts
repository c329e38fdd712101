import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, upstreamsConfigured } from '../../gateway/config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults on an empty environment', () => {
    expect(loadConfig({})).toEqual({
      PORT: 4000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_POOL_MAX: 10,
      PGLITE_DIR: './.data/pglite',
      DEMO_DATA: 'auto',
      DEMO_SCALE: 'demo',
      SYNC_INTERVAL_SECONDS: 300,
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('reads and converts what is set', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://hub@db:5432/lgsp',
      CADRE_DB_URL: 'http://127.0.0.1:4102',
      REDIS_URL: 'redis://redis:6379',
      DEMO_DATA: 'off',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://hub@db:5432/lgsp',
      DEMO_DATA: 'off',
    });
    expect(upstreamsConfigured(config)).toBe(true);
    expect(upstreamsConfigured(loadConfig({}))).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(4000);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535 (got "65536")'],
    [{ PORT: '80.5' }, 'PORT must be a whole number from 0 to 65535 (got "80.5")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL must be a URL starting with postgres:// or postgresql://'],
    [{ BUDGET_URL: 'budget.local' }, 'BUDGET_URL must be a URL starting with http:// or https:// (got "budget.local")'],
    [{ DEMO_DATA: 'yes' }, 'DEMO_DATA must be auto or off (got "yes")'],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports every bad variable on one line, without the password of a URL', () => {
    let message = '';
    try {
      loadConfig({ PORT: '-1', DATABASE_URL: 'mysql://hub:s3cret@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('\n');
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('mysql://hub:***@db/x');
    expect(message).not.toContain('s3cret');
  });
});
