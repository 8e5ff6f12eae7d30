import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_KEY } from '../../src/observability/readiness.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.js';
import { startRedisCluster, type RunningRedisCluster } from '../helpers/redis.js';
import { globalId, newApiKey, startStack, type TestStack } from '../helpers/stack.js';
import { metricValue } from '../resilience/helpers.js';

/**
 * Three gateways behind a real HAProxy (deploy/haproxy/haproxy.cfg, health-checking
 * /readyz) sharing a three-master Redis Cluster, under a bounded load of a few
 * concurrent clients (POST and GET queries, two tenants). Mid-load: one gateway is
 * stopped gracefully (it drains: /readyz 503 while still serving, until HAProxy
 * has taken it out); a keyed delete is sent through one instance, retried through
 * another and through HAProxy, and another raced by two instances with one key
 * (each reaches the vendor once), and the deleted connection is gone through every
 * instance at once; then the Redis master holding the load tenant's keys and the
 * readiness probe's key is killed (the gateways stay in service, degraded); then,
 * with GET queries only, a second gateway is stopped without draining (HAProxy
 * retries what it had sent there). No request may fail at the client. Every wait
 * is on a condition (HAProxy's stats, answer counts).
 */

const CONFIG_FILE = fileURLToPath(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url));
const CLIENTS = 4;
/** Answers before the first stop, after the Redis master is killed, and after the second stop. */
const PHASE_REQUESTS = 100;
/** Long enough for HAProxy (checks every 100 ms, down after 2 failures) to stop sending before the listener closes. */
const DRAIN_MS = 1_500;

const ORG = LEEN_SEED[0]!;
const connectionOf = (index: number) => globalId(['Connection', 'LEEN', ORG.id, ORG.connections[index]!.id]);
/** Leen's organizations: two vendor reads when uncached, so the load measures the gateways, not the simulators. */
const FLEET = /* GraphQL */ `
  query Fleet {
    organizations(ids: ${JSON.stringify(LEEN_SEED.map((o) => globalId(['Organization', 'LEEN', o.id])))}) {
      id
      vendor
      connections {
        id
        status
      }
    }
  }
`;
const DELETE = /* GraphQL */ `
  mutation Delete($input: DeleteConnectionInput!) {
    deleteConnection(input: $input) {
      connection {
        id
        status
      }
      userErrors {
        code
      }
    }
  }
`;
const LEEN_DELETE_ROUTE = 'DELETE /provisioning/organizations/{organization_id}/connections/{connection_id}';
interface Answer {
  readonly status: number;
  readonly body: {
    data?: { organizations?: ({ id: string; connections: { id: string }[] | null } | null)[] } & Record<
      string,
      unknown
    >;
    errors?: unknown[];
  };
}

async function post(
  graphqlUrl: string,
  apiKey: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
    body: JSON.stringify({ query, ...(variables && { variables }) }),
  });
  return answerOf(res);
}

/** A GraphQL GET (queries only), the kind of request HAProxy may retry after it was sent. */
async function get(graphqlUrl: string, apiKey: string, query: string): Promise<Answer> {
  const url = `${graphqlUrl}?${new URLSearchParams({ query, operationName: 'Fleet' })}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}`, 'apollo-require-preflight': 'true' } });
  return answerOf(res);
}

/** The status and JSON body; a body that is not JSON (HAProxy's own error page) is a failure naming the status. */
async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 120)}`);
  }
}

/** Why an answer to the load's query is not a success, or null when it is one. */
function failureOf(answer: Answer): string | null {
  if (answer.status !== 200) return `HTTP ${answer.status}`;
  if (answer.body.errors) return `errors ${JSON.stringify(answer.body.errors).slice(0, 300)}`;
  const orgs = answer.body.data?.organizations;
  if (!orgs || orgs.length === 0 || orgs.some((o) => o === null || !Array.isArray(o.connections)))
    return 'incomplete data';
  return null;
}

const listed = (answer: Answer) =>
  answer.body.data?.organizations?.flatMap((o) => o?.connections?.map((c) => c.id) ?? []) ?? [];

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * A fixed-size pool of clients looping over the load balancer; waiters are told
 * when a count of answers is reached, or when no POST is in flight any more.
 */
function startLoad(send: (i: number, method: 'GET' | 'POST') => Promise<Answer>) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let issued = 0;
  let stopped = false;
  let getOnly = false;
  let postsInFlight = 0;
  const waiters: { ready: () => boolean; resolve: () => void }[] = [];
  const done = () => latencies.length + failures.length;
  const notify = () => {
    for (const waiter of waiters.filter((w) => w.ready())) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const when = (ready: () => boolean) =>
    new Promise<void>((resolve) => (ready() ? resolve() : waiters.push({ ready, resolve })));
  const worker = async () => {
    while (!stopped) {
      const i = issued++;
      const method = getOnly || i % 4 === 3 ? 'GET' : 'POST';
      if (method === 'POST') postsInFlight++;
      const started = performance.now();
      try {
        const failure = failureOf(await send(i, method));
        if (failure) failures.push(`#${i} ${method}: ${failure}`);
        else latencies.push(performance.now() - started);
      } catch (error) {
        failures.push(`#${i} ${method}: ${(error as Error).message} ${String((error as Error).cause ?? '')}`);
      } finally {
        if (method === 'POST') postsInFlight--;
      }
      notify();
    }
  };
  const workers = Promise.all(Array.from({ length: CLIENTS }, worker));
  return {
    latencies,
    failures,
    answered: done,
    /** Resolves once `count` answers (successes and failures) have come back. */
    reached: (count: number) => when(() => done() >= count),
    /** From now on GET queries only; resolves once no POST is in flight. */
    getOnly() {
      getOnly = true;
      return when(() => postsInFlight === 0);
    },
    async stop() {
      stopped = true;
      await workers;
    },
  };
}

describe('three gateways behind HAProxy on a Redis Cluster: a gateway stopped and a Redis master killed under load', () => {
  let cluster: RunningRedisCluster;
  let sandbox: RunningSandbox;
  let gateways: TestStack[] = [];
  let lb: RunningHaproxy;
  const tenants = { load: { id: '', apiKey: newApiKey('load') }, keyed: { id: '', apiKey: newApiKey('keyed') } };
  let loadMaster: string;
  /** The gateways the test stops itself (closed once only). */
  const stoppedGateways: TestStack[] = [];

  beforeAll(async () => {
    [cluster, sandbox] = await Promise.all([startRedisCluster(), startSandbox()]);
    // Two tenants whose keys (one hash tag each) live on different masters: the load tenant's master,
    // which also serves the readiness probe's key, is the one killed; the keyed tenant's idempotency
    // records and read generations stay reachable.
    loadMaster = await cluster.masterOf(PROBE_KEY);
    for (const id of ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'soylent', 'tyrell', 'wonka']) {
      const onLoadMaster = (await cluster.masterOf(`junction:{${id}}:x`)) === loadMaster;
      if (onLoadMaster && !tenants.load.id) tenants.load.id = id;
      if (!onLoadMaster && !tenants.keyed.id) tenants.keyed.id = id;
    }
    expect(tenants.load.id).not.toBe('');
    expect(tenants.keyed.id).not.toBe('');
    const config = {
      tenants: [tenants.load, tenants.keyed].map((t) => demoTenantConfig(sandbox, t.id, t.apiKey)),
      cache: { redisClusterNodes: cluster.nodes, commandTimeoutMs: 100 },
      shutdownDrainDelayMs: DRAIN_MS,
    };
    gateways = await Promise.all([1, 2, 3].map(() => startStack({ sharedSandbox: sandbox, config })));
    lb = await startHaproxy({
      configFile: CONFIG_FILE,
      env: {
        ...Object.fromEntries(gateways.map((g, i) => [`JUNCTION_GATEWAY_${i + 1}`, `127.0.0.1:${g.gateway.port}`])),
        JUNCTION_LB_CHECK_INTER: '100ms',
      },
    });
  });
  afterAll(async () => {
    await lb?.close();
    await Promise.all(gateways.filter((g) => !stoppedGateways.includes(g)).map((g) => g.close()));
    await Promise.all([sandbox?.close(), cluster?.close()]);
  });

  /** Polls HAProxy's stats page until one of its servers is in a state (status, or last check's result). */
  async function serverState(name: string, state: RegExp, column = 'status'): Promise<void> {
    for (;;) {
      if (state.test((await lb.server('gateways', name))[column] ?? '')) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('no request fails at the client, keyed deletes reach the vendor once, and a delete shows everywhere at once', async () => {
    // Servers start as UP before any check: wait for each one's /readyz to have passed.
    await Promise.all(['gateway1', 'gateway2', 'gateway3'].map((name) => serverState(name, /^L7OK/, 'check_status')));
    const [g1, g2, g3] = gateways as [TestStack, TestStack, TestStack];
    const viaLb = `${lb.url}/graphql`;
    const started = performance.now();
    const load = startLoad((i, method) => {
      const tenant = i % 2 === 0 ? tenants.load : tenants.keyed;
      return method === 'GET' ? get(viaLb, tenant.apiKey, FLEET) : post(viaLb, tenant.apiKey, FLEET);
    });

    // 1. A graceful stop of gateway 2 under load: unready while draining, then closed.
    await load.reached(PHASE_REQUESTS);
    const stopAt = performance.now();
    const stopAnswered = load.answered();
    stoppedGateways.push(g2);
    const stopped = g2.gateway.close(5_000);
    await serverState('gateway2', /^DOWN/);
    const markedDownMs = performance.now() - stopAt;
    const sentToGateway2 = Number((await lb.server('gateways', 'gateway2')).stot);
    await stopped;
    const stopMs = performance.now() - stopAt;
    const answeredDuringStop = load.answered() - stopAnswered;

    // 2. Under load, through the instances still up (the cluster whole: a keyed mutation's guarantee needs its
    // record's master), a delete, invisible everywhere at once, retried with its key through other instances.
    const keyed = tenants.keyed;
    const [g1Url, g3Url] = [g1.gateway.url, g3.gateway.url];
    for (const url of [g1Url, g3Url, viaLb])
      expect(listed(await post(url, keyed.apiKey, FLEET))).toContain(connectionOf(0));
    const leenDeletes = () => sandbox.get('LEEN').stats().byRoute[LEEN_DELETE_ROUTE] ?? 0;
    const deletesBefore = leenDeletes();
    const key = { 'idempotency-key': `deploy-${randomUUID()}` };
    const target = { input: { connectionId: connectionOf(0) } };
    const first = await post(g1Url, keyed.apiKey, DELETE, target, key);
    expect(first.body).toEqual({
      data: { deleteConnection: { connection: { id: connectionOf(0), status: 'DISCONNECTED' }, userErrors: [] } },
    });
    for (const url of [g3Url, viaLb, g1Url])
      expect(listed(await post(url, keyed.apiKey, FLEET))).not.toContain(connectionOf(0));
    // The client never saw the answer, say, and retries through another instance and through the balancer.
    expect(await post(g3Url, keyed.apiKey, DELETE, target, key)).toEqual(first);
    expect(await post(viaLb, keyed.apiKey, DELETE, target, key)).toEqual(first);
    expect(leenDeletes() - deletesBefore).toBe(1);
    // Two instances racing with one key: one DELETE, one answer.
    const raced = { input: { connectionId: connectionOf(1) } };
    const raceKey = { 'idempotency-key': `race-${randomUUID()}` };
    const [a, b] = await Promise.all([
      post(g1Url, keyed.apiKey, DELETE, raced, raceKey),
      post(g3Url, keyed.apiKey, DELETE, raced, raceKey),
    ]);
    expect(a.body.data).toMatchObject({ deleteConnection: { connection: { id: connectionOf(1) }, userErrors: [] } });
    expect(b, "the second of two racing instances replays the first one's answer").toEqual(a);
    expect(leenDeletes() - deletesBefore).toBe(2);

    const keyedDoneMs = performance.now() - started;

    // 3. The load tenant's Redis master killed under load: its cache is gone, its queries go to the vendors.
    await cluster.kill(loadMaster);
    const killAnswered = load.answered();

    await load.reached(killAnswered + PHASE_REQUESTS);
    const killPhaseDoneMs = performance.now() - started;

    // The kill was felt (Redis errors on the survivors), and they stayed in service: ready, degraded.
    let redisErrors = 0;
    const redisErrorsByReason: Record<string, number> = {};
    const readiness: unknown[] = [];
    for (const g of [g1, g3]) {
      const metrics = await (await fetch(new URL('/metrics', g.gateway.url))).text();
      for (const operation of ['get', 'set', 'setIfAbsent', 'delete'])
        for (const reason of ['unavailable', 'timeout', 'error']) {
          const count = metricValue(metrics, 'junction_redis_errors_total', { operation, reason });
          redisErrors += count;
          if (count > 0)
            redisErrorsByReason[`${operation}:${reason}`] =
              (redisErrorsByReason[`${operation}:${reason}`] ?? 0) + count;
        }
      const res = await fetch(new URL('/readyz', g.gateway.url));
      const body = (await res.json()) as { degraded?: string[] };
      expect({ status: res.status, degraded: body.degraded }).toEqual({ status: 200, degraded: ['redis'] });
      readiness.push(body);
    }
    expect(redisErrors).toBeGreaterThan(0);

    // 4. GET queries only, and gateway 3 stopped without a drain: what HAProxy sent it and could not
    // complete (refused connection, closed keep-alive) is retried on gateway 1.
    await load.getOnly();
    const abruptAnswered = load.answered();
    await g3.gateway.close(5_000, 0);
    stoppedGateways.push(g3);
    await serverState('gateway3', /^DOWN/);
    await load.reached(abruptAnswered + PHASE_REQUESTS);
    await load.stop();
    const elapsedMs = performance.now() - started;

    const rows = await lb.stats();
    const row = (name: string) => rows.find((r) => r.pxname === 'gateways' && r.svname === name)!;
    expect(row('gateway1').status).toMatch(/^UP/);
    // Nothing was sent to gateway 2 once HAProxy had marked it down.
    expect(Number(row('gateway2').stot)).toBe(sentToGateway2);

    const sorted = [...load.latencies].sort((x, y) => x - y);
    const figures = {
      requests: load.answered(),
      failures: load.failures.length,
      clients: CLIENTS,
      elapsedMs: Math.round(elapsedMs),
      phasesDoneAtMs: {
        firstStop: Math.round(stopAt - started + stopMs),
        keyedDeletes: Math.round(keyedDoneMs),
        redisKill: Math.round(killPhaseDoneMs),
      },
      latencyMs: {
        p50: Number(percentile(sorted, 50).toFixed(1)),
        p99: Number(percentile(sorted, 99).toFixed(1)),
        max: Number(sorted.at(-1)!.toFixed(1)),
      },
      gateway2: { markedDownAfterMs: Math.round(markedDownMs), stoppedAfterMs: Math.round(stopMs), answeredDuringStop },
      haproxy: {
        retries: Number(row('BACKEND').wretr),
        redispatches: Number(row('BACKEND').wredis),
        sentTo: Object.fromEntries(['gateway1', 'gateway2', 'gateway3'].map((n) => [n, Number(row(n).stot)])),
      },
      redisErrorsOnSurvivors: redisErrors,
      redisErrorsByReason,
      survivorsReadinessAfterKill: readiness,
      leenDeletes: leenDeletes() - deletesBefore,
    };
    console.log(`multi-instance figures: ${JSON.stringify(figures)}`);
    expect(load.failures).toEqual([]);
  }, 90_000);
});
