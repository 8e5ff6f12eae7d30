import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createNoCache } from '../../src/cache/no-cache.js';
import { createUpstreamHttp } from '../../src/http/upstream-http.js';
import { createReadThrough } from '../../src/loaders/upstream-transport.js';
import { createLogger } from '../../src/observability/logger.js';
import { ReadLedger } from '../../src/request/read-ledger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DASHBOARD_SEED } from './dashboard.js';

/**
 * The loader keeps a read's parsed value, not its raw body: a second read of
 * the same resource under another schema (no adapter does so today) is read
 * again for that schema, and the answer built on it is not cacheable.
 */
describe('one resource read under two schemas in one request', () => {
  let sandbox: RunningSandbox;
  const http = createUpstreamHttp();

  beforeAll(async () => {
    sandbox = await startSandbox({ leen: { seed: DASHBOARD_SEED } });
  });
  afterAll(async () => {
    await http.close();
    await sandbox?.close();
  });

  it('gives each schema its own value', async () => {
    const reads = createReadThrough({
      cache: createNoCache(),
      http,
      logger: createLogger('silent'),
      ttlSeconds: { organization: 60, connections: 60, providers: 60 },
    });
    const ledger = new ReadLedger();
    const transport = reads.forRequest('t1', { ledger })({
      vendor: 'LEEN',
      baseUrl: sandbox.get('LEEN').url,
      headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
      scope: 'leen',
    });
    const organization = DASHBOARD_SEED[0]!;
    const path = {
      path: `/provisioning/organizations/${organization.id}/connections`,
      route: '/provisioning/organizations/{organizationId}/connections',
      resource: 'connections' as const,
    };
    const ids = z.array(z.object({ id: z.string() })).transform((list) => list.map((c) => c.id));
    const count = z.array(z.unknown()).transform((list) => list.length);

    const [first, second] = await Promise.all([
      transport.read({ ...path, schema: ids }),
      transport.read({ ...path, schema: count }),
    ]);
    expect(first).toEqual(organization.connections.map((c) => c.id));
    expect(second).toBe(organization.connections.length);
    expect(ledger.cacheable).toBe(false);
    // The same schema again is the loaded value: no further call.
    const calls = sandbox.get('LEEN').requests().length;
    expect(await transport.read({ ...path, schema: ids })).toEqual(first);
    expect(sandbox.get('LEEN').requests().length).toBe(calls);
  });
});
