import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { Secret } from '../../src/config/secret.js';
import { sha256 } from '../helpers/stack.js';

const ORG = '9b2f1d4e-7a6c-4e11-8f3b-2d5c6a7e8f90';
const tenant = (leen: Record<string, unknown>) => ({ id: 't1', apiKeySha256: [sha256('k')], vendors: { leen } });

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has working defaults with nothing configured', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, tenants: [], upstream: { timeoutMs: 5000 }, production: false });
  });

  it('maps the Leen region to the contract base URL, and lets baseUrl override it', () => {
    const eu = loadConfig({}, { tenants: [tenant({ region: 'eu', apiKey: 'k', organizations: [{ id: ORG }] })] });
    expect(eu.tenants[0]!.vendors.leen!.baseUrl).toBe('https://api.eu-c1.leen.dev/v1');
    const apac = loadConfig({}, { tenants: [tenant({ region: 'apac', apiKey: 'k', organizations: [{ id: ORG }] })] });
    expect(apac.tenants[0]!.vendors.leen!.baseUrl).toBe('https://api.ap-se2.leen.dev/v1');
    const custom = loadConfig(
      {},
      { tenants: [tenant({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', organizations: [{ id: ORG }] })] },
    );
    expect(custom.tenants[0]!.vendors.leen!.baseUrl).toBe('http://127.0.0.1:9/v1');
  });

  it('reads secrets from environment variable references', () => {
    const config = loadConfig(
      { LEEN_KEY: 'from-env' },
      { tenants: [tenant({ apiKey: { env: 'LEEN_KEY' }, organizations: [{ id: ORG }] })] },
    );
    const key = config.tenants[0]!.vendors.leen!.apiKey;
    expect(key).toBeInstanceOf(Secret);
    expect(key.reveal()).toBe('from-env');
    expect(JSON.stringify(config)).not.toContain('from-env');
    expect(String(key)).toBe('[redacted]');
  });

  it('lists every invalid key at once, and never echoes a secret', () => {
    const error = configError(() =>
      loadConfig(
        { PORT: 'eighty', REDIS_URL: 'http://nope' },
        {
          tenants: [
            tenant({
              region: 'mars',
              apiKey: { env: 'MISSING_KEY' },
              organizations: [{ id: 'super-secret-value-1234' }],
            }),
          ],
        },
      ),
    );
    const text = error.message;
    for (const key of [
      'port',
      'cache.redisUrl',
      'tenants.0.vendors.leen.region',
      'tenants.0.vendors.leen.apiKey',
      'tenants.0.vendors.leen.organizations.0.id',
    ]) {
      expect(text).toContain(key);
    }
    expect(text).toContain('MISSING_KEY is not set');
    expect(text).not.toContain('super-secret-value-1234');
  });

  it('rejects unknown keys, so typos do not pass silently', () => {
    const error = configError(() =>
      loadConfig({}, { tenants: [tenant({ apiKey: 'k', organisations: [{ id: ORG }] })] }),
    );
    expect(error.message).toMatch(/tenants\.0\.vendors\.leen/);
  });

  it('rejects duplicate tenant ids', () => {
    const t = tenant({ apiKey: 'k', organizations: [{ id: ORG }] });
    expect(configError(() => loadConfig({}, { tenants: [t, t] })).message).toContain('duplicate tenant id');
  });
});
