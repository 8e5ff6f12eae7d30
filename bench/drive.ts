import autocannon from 'autocannon';
import type { BenchProcess } from './processes.js';

/** One scenario of `npm run bench` and the autocannon run that measures it. */

export interface Scenario {
  readonly key: string;
  readonly label: string;
  /** The floor scenario this one is compared with (run right before it, round after round); none for the floors. */
  readonly floor?: string;
  readonly url: string;
  /** The process serving `url`, whose CPU time per request is reported. */
  readonly server: BenchProcess;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  /** A fixed request, or one per request (rotating organizations, tenants, connections to delete). */
  readonly request: Fixed | (() => Fixed);
  /** A response that counts as correct (status 200 is checked separately). */
  readonly check: (body: string) => boolean;
  /** Runs before each measured run (after the sandbox reset): priming the cache, rewinding a cursor. */
  readonly prepare?: () => Promise<void>;
}

/** What varies per request: the path (floor, GET) or the body, and extra headers (another tenant's key). */
export interface Fixed {
  readonly path?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface RunFigures {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly upstreamPerRequest: number;
  /** CPU time the serving process (floor or gateway) spent per request: steadier than req/s on a shared machine. */
  readonly cpuMsPerRequest: number;
  readonly failures: number;
}

interface SandboxStats {
  total: number;
  distinct: number;
}

export async function sandboxStats(urls: readonly string[]): Promise<SandboxStats> {
  const all = await Promise.all(
    urls.map(async (url) => (await (await fetch(`${url}/__sandbox/stats`)).json()) as SandboxStats),
  );
  return all.reduce((sum, s) => ({ total: sum.total + s.total, distinct: sum.distinct + s.distinct }), {
    total: 0,
    distinct: 0,
  });
}

export async function sandboxReset(urls: readonly string[]): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/__sandbox/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`sandbox reset failed: HTTP ${res.status}`);
    }),
  );
}

/** Waits (up to 3 s) until the sandbox has served no request for 100 ms. */
async function quiesce(urls: readonly string[]): Promise<void> {
  let last = (await sandboxStats(urls)).total;
  for (let i = 0; i < 30; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = (await sandboxStats(urls)).total;
    if (now === last) return;
    last = now;
  }
}

/** Sends one request of the scenario (the smoke check and priming); returns the body, throws on a non-200. */
export async function sendOnce(scenario: Scenario, fixed?: Fixed): Promise<string> {
  const one = fixed ?? (typeof scenario.request === 'function' ? scenario.request() : scenario.request);
  const url = one.path ? new URL(one.path, scenario.url).toString() : scenario.url;
  const res = await fetch(url, {
    method: scenario.method,
    headers: { ...scenario.headers, ...one.headers },
    ...(scenario.method === 'POST' && { body: one.body ?? '' }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${scenario.key}: ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

export async function drive(
  scenario: Scenario,
  settings: {
    durationSeconds: number;
    connections: number;
    /**
     * Unrecorded load of the same scenario right before the run. A process idle for a minute (a gateway while the
     * other scenarios run) answers its first second at a third of its speed; the floor, run every other run, never idles.
     */
    primeSeconds?: number;
  },
  sandboxUrls: readonly string[],
): Promise<RunFigures> {
  // Calls the previous load left in flight (its last requests, cut by autocannon) must not count for the next.
  const startAfresh = async () => {
    await quiesce(sandboxUrls);
    await sandboxReset(sandboxUrls);
    await scenario.prepare?.();
  };
  if (settings.primeSeconds) {
    await startAfresh();
    await load(scenario, { ...settings, durationSeconds: settings.primeSeconds }, () => undefined);
  }
  await startAfresh();
  const before = await sandboxStats(sandboxUrls);
  const cpuBefore = scenario.server.cpuSeconds() ?? Number.NaN;
  let failures = 0;
  const result = await load(scenario, settings, (status, text) => {
    if (status !== 200 || !scenario.check(text)) failures += 1;
  });
  const cpuAfter = scenario.server.cpuSeconds() ?? Number.NaN;
  const after = await sandboxStats(sandboxUrls);
  const requests = result['2xx'] + result.non2xx;
  // Requests sent, answered or not: those autocannon cut off at the end made their vendor calls too.
  const sent = Math.max(requests, (result.requests as { sent?: number }).sent ?? requests);
  return {
    requests,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    upstreamPerRequest: sent > 0 ? (after.total - before.total) / sent : 0,
    cpuMsPerRequest: requests > 0 ? ((cpuAfter - cpuBefore) * 1000) / requests : 0,
    failures: failures + result.errors + result.timeouts,
  };
}

/** The scenario's requests from `connections` clients for `durationSeconds`; each answer goes to `onAnswer`. */
function load(
  scenario: Scenario,
  settings: { durationSeconds: number; connections: number },
  onAnswer: (status: number, text: string) => void,
): Promise<autocannon.Result> {
  const request = scenario.request;
  return autocannon({
    url: scenario.url,
    method: scenario.method,
    headers: scenario.headers,
    connections: settings.connections,
    duration: settings.durationSeconds,
    ...(typeof request !== 'function' && request.body !== undefined && { body: request.body }),
    requests: [
      {
        ...(typeof request === 'function' && {
          setupRequest: (req: autocannon.Request) => {
            const one = request();
            return {
              ...req,
              ...(one.path !== undefined && { path: one.path }),
              ...(one.body !== undefined && { body: one.body }),
              ...(one.headers && { headers: { ...scenario.headers, ...one.headers } }),
            };
          },
        }),
        ...(typeof request !== 'function' && request.path !== undefined && { path: request.path }),
        onResponse: onAnswer,
      },
    ],
  });
}
