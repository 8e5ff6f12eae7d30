import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
import { DASHBOARD_QUERY, DASHBOARD_SEED, GET_ROUTE, LIST_ROUTE, type DashboardData } from './dashboard.js';

/**
 * The per-request loaders: identical reads in one request reach the vendor
 * once, independent ones run concurrently but never above the per-vendor cap,
 * and nothing a request loaded is visible to another tenant. A pass-through
 * proxy in front of the Leen simulator counts the calls in flight.
 */

const CAP = 4;
const keys = { dash: newApiKey('dash'), other: newApiKey('other') };

/** Forwards every request to `target`, recording the most requests it ever had in flight. */
async function startCountingProxy(
  target: string,
): Promise<{ url: string; maxInFlight: () => number; reset(): void; close(): Promise<void> }> {
  let inFlight = 0;
  let max = 0;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    inFlight += 1;
    max = Math.max(max, inFlight);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (inFlight -= 1));
      },
    );
    forward.on('error', () => {
      inFlight -= 1;
      res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => max,
    reset: () => (max = inFlight),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('per-request loaders', () => {
  let sandbox: RunningSandbox;
  let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
  let stack: TestStack;

  beforeAll(async () => {
    sandbox = await startSandbox({ leen: { seed: DASHBOARD_SEED } });
    proxy = await startCountingProxy(sandbox.get('LEEN').url);
    const tenant = (id: keyof typeof keys) => ({
      id,
      apiKeySha256: [sha256(keys[id])],
      vendors: {
        leen: {
          baseUrl: proxy.url,
          apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
          organizations: DASHBOARD_SEED.map((o) => ({ id: o.id, displayName: o.name })),
        },
      },
    });
    stack = await startStack({
      sharedSandbox: sandbox,
      config: { tenants: [tenant('dash'), tenant('other')], upstream: { maxConcurrencyPerVendor: CAP } },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await stack.reset();
    sandbox.get('LEEN').clearFaults();
    proxy.reset();
  });

  it('runs independent reads concurrently, never more than the per-vendor cap at once', async () => {
    // Slow answers, so the 50 reads of the dashboard overlap.
    sandbox.get('LEEN').addFault({ method: 'GET', latencyMs: 60 });
    const { body } = await stack.gql<DashboardData>(DASHBOARD_QUERY, undefined, { apiKey: keys.dash });
    expect(body.errors).toBeUndefined();
    expect(sandbox.get('LEEN').stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
    expect(proxy.maxInFlight()).toBe(CAP);
  });

  it('makes one upstream call for identical reads within one request', async () => {
    // The same organization three times, and its connection list through two fields.
    const org = DASHBOARD_SEED[0]!;
    const id = Buffer.from(JSON.stringify(['j1', 'Organization', 'LEEN', org.id])).toString('base64url');
    const { body } = await stack.gql(
      `{ a: organization(id: "${id}") { connections { id } } b: organization(id: "${id}") { connections { id } providers: connections { provider { slug } } } c: providers(vendor: LEEN) { slug } }`,
      undefined,
      { apiKey: keys.dash },
    );
    expect(body.errors).toBeUndefined();
    expect(sandbox.get('LEEN').stats().byRoute).toEqual({ [LIST_ROUTE]: 25 });
  });

  it("never serves one tenant's cached reads to another", async () => {
    await stack.gql(DASHBOARD_QUERY, undefined, { apiKey: keys.dash });
    sandbox.reset();
    await stack.gql(DASHBOARD_QUERY, undefined, { apiKey: keys.other });
    expect(sandbox.get('LEEN').stats().byRoute).toEqual({ [LIST_ROUTE]: 25, [GET_ROUTE]: 25 });
  });
});
