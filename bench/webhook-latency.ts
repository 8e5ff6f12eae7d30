import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import type { BenchProcess } from './processes.js';
import { round } from './report.js';

/**
 * Change to webhook: the time from a change at the Leen simulator (a connection
 * deleted through Leen's own API, not Junction's) to its signed
 * `connection.removed` arriving at a receiver on loopback. One gateway process
 * with the background sync on (cache off, so each sync reads the vendor as it
 * is) and webhooks on; samples are spread over the sync's phase by a random
 * pause, so the figure is: where the change falls in the sync interval, plus
 * the sync's listing, the diff and commit, and the delivery (the dispatcher is
 * woken by the commit, not by its poll).
 */

export interface WebhookLatencyFigures {
  readonly samples: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly syncIntervalSeconds: number;
  readonly organizations: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureWebhookLatency(options: {
  readonly startGateway: (
    name: string,
    config: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
  ) => Promise<{ process: BenchProcess; url: string }>;
  readonly leen: { readonly baseUrl: string; readonly apiKey: string };
  readonly organizations: readonly string[];
  readonly samples: number;
  readonly syncIntervalSeconds: number;
  readonly log: (message: string) => void;
}): Promise<WebhookLatencyFigures> {
  const { leen, organizations, samples, syncIntervalSeconds } = options;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const verifier = new Webhook(secret);
  const arrivals = new Map<string, number>();
  let unverified = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      try {
        const payload = verifier.verify(Buffer.concat(chunks), req.headers as Record<string, string>) as {
          data: { before: { externalId: string } | null };
        };
        if (payload.data.before) arrivals.set(payload.data.before.externalId, at);
      } catch {
        unverified += 1;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const apiKey = `jk_bench_hooks_${randomBytes(12).toString('base64url')}`;
  const gateway = await options.startGateway(
    'gateway-webhooks',
    {
      logLevel: 'warn',
      tenants: [
        {
          id: 'bench-hooks',
          apiKeySha256: [createHash('sha256').update(apiKey).digest('hex')],
          vendors: { leen: { ...leen, organizations: organizations.map((id) => ({ id })) } },
          webhookEndpoints: [{ id: 'bench', url: receiverUrl, eventTypes: ['connection.removed'], secret }],
        },
      ],
      cache: { enabled: false },
      sync: { enabled: true, intervalSeconds: syncIntervalSeconds },
      webhooks: { enabled: true, allowHttp: true, allowedTargetCidrs: ['127.0.0.1/32'] },
    },
    {},
  );
  try {
    // The first sync of each organization is its baseline (no events): changes before it would go unseen.
    await sleep(syncIntervalSeconds * 1500);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const organization = organizations[i % organizations.length]!;
      const listing = await fetch(`${leen.baseUrl}/provisioning/organizations/${organization}/connections`, {
        headers: { 'x-api-key': leen.apiKey },
      });
      const [connection] = (await listing.json()) as { id: string }[];
      if (!connection) throw new Error(`webhook bench: organization ${organization} has no connection left`);
      // A random point in the sync's cycle: the latency's spread is the interval's.
      await sleep(Math.random() * syncIntervalSeconds * 1000);
      const changedAt = performance.now();
      const deleted = await fetch(
        `${leen.baseUrl}/provisioning/organizations/${organization}/connections/${connection.id}`,
        { method: 'DELETE', headers: { 'x-api-key': leen.apiKey } },
      );
      if (!deleted.ok) throw new Error(`webhook bench: the simulator refused the delete (HTTP ${deleted.status})`);
      const deadline = changedAt + syncIntervalSeconds * 4000 + 5000;
      while (!arrivals.has(connection.id) && performance.now() < deadline) await sleep(10);
      const arrived = arrivals.get(connection.id);
      if (arrived !== undefined) latencies.push(arrived - changedAt);
      options.log(
        `webhook latency ${i + 1}/${samples}: ${arrived === undefined ? 'never arrived' : `${Math.round(arrived - changedAt)} ms`}`,
      );
    }
    if (unverified > 0) throw new Error(`webhook bench: ${unverified} deliveries failed signature verification`);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      samples,
      received: latencies.length,
      p50Ms: round(percentile(sorted, 50), 0),
      p99Ms: round(percentile(sorted, 99), 0),
      maxMs: round(sorted.at(-1) ?? Number.NaN, 0),
      syncIntervalSeconds,
      organizations: organizations.length,
    };
  } finally {
    await gateway.process.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
