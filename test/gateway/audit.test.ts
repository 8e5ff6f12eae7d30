import { Writable } from 'node:stream';
import { Cluster, Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { auditStreamKey } from '../../src/cache/audit-store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { demoRoleKeys } from '../../src/sandbox/demo-key.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { startRedis, startRedisCluster, type RunningRedis, type RunningRedisCluster } from '../helpers/redis.js';
import { globalId, newApiKey, sha256, startStack, type GraphQLResult, type TestStack } from '../helpers/stack.js';

/**
 * The audit trail over HTTP, on each store: in memory, a Redis Stream on a
 * single node, and on a Redis Cluster. Tenant "acme" (the stack's default, an
 * operator tenant) has both seeded Leen organizations; "globex" has only
 * Globex, and also accepts JWTs.
 */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const connId = (org: (typeof LEEN_SEED)[number], index: number) =>
  globalId(['Connection', 'LEEN', org.id, org.connections[index]!.id]);
const GLOBEX_KEY = newApiKey('globex');
const JWT_SECRET = 'audit-test-hmac-secret-of-at-least-32-chars';
const ISSUER = 'https://auth.globex.example';

const DELETE = `mutation DeleteIt($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) { dryRun connection { id } userErrors { code } }
}`;
const AUDIT = `query Audit($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    nodes { id time tenant actor kind operation targetIds dryRun idempotencyKey outcome code httpStatus requestId }
    endCursor
    hasNextPage
  }
}`;

interface Entry {
  id: string;
  time: string;
  tenant: string | null;
  actor: string | null;
  kind: string;
  operation: string | null;
  targetIds: string[];
  dryRun: boolean;
  idempotencyKey: string | null;
  outcome: string;
  code: string | null;
  httpStatus: number | null;
  requestId: string;
}
interface AuditPage {
  auditLog: { nodes: Entry[]; endCursor: string | null; hasNextPage: boolean };
}

type Backend = 'memory' | 'redis' | 'cluster';

describe.each<Backend>(['memory', 'redis', 'cluster'])('audit trail (%s)', (backend) => {
  let sandbox: RunningSandbox;
  let redis: RunningRedis | undefined;
  let cluster: RunningRedisCluster | undefined;
  let stack: TestStack;
  const lines: string[] = [];
  const storeConfig = () =>
    backend === 'redis'
      ? { cache: { redisUrl: redis!.url, commandTimeoutMs: 500 } }
      : backend === 'cluster'
        ? { cache: { redisClusterNodes: cluster!.nodes, commandTimeoutMs: 500 } }
        : {};

  const start = (config: Record<string, unknown>, clock?: ManualClock) =>
    startStack({
      sharedSandbox: sandbox,
      env: { AUDIT_JWT_SECRET: JWT_SECRET },
      config: { ...storeConfig(), audit: { operatorTenants: ['acme'] }, ...config },
      extraTenants: (s) => [
        {
          id: 'globex',
          apiKeySha256: [sha256(GLOBEX_KEY)],
          jwt: { issuer: ISSUER, audience: 'junction', secret: { env: 'AUDIT_JWT_SECRET' } },
          vendors: {
            leen: {
              baseUrl: s.get('LEEN').url,
              apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
              organizations: [{ id: GLOBEX.id, displayName: 'Globex' }],
            },
          },
        },
      ],
      start: {
        logger: createLogger(
          'info',
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              lines.push(chunk.toString('utf8'));
              done();
            },
          }),
        ),
        ...(clock && { now: clock.now }),
      },
    });

  /** The whole log of the caller's tenant (or the gateway-wide one), newest first, walked page by page. */
  const walk = async (filter: Record<string, unknown> = {}, apiKey?: string, first = 3): Promise<Entry[]> => {
    const all: Entry[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GraphQLResult<AuditPage> = await stack.gql<AuditPage>(AUDIT, { filter, first, after }, { apiKey });
      expect(res.body.errors).toBeUndefined();
      const page: AuditPage['auditLog'] = res.body.data!.auditLog;
      all.push(...page.nodes);
      if (!page.hasNextPage) return all;
      after = page.endCursor;
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    if (backend === 'redis') redis = await startRedis();
    if (backend === 'cluster') cluster = await startRedisCluster();
    stack = await start({});
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
    await redis?.close();
    await cluster?.close();
  });

  it('records a real mutation and a dry run, with targets, idempotency key and outcome', async () => {
    const id = connId(ACME, 1);
    const dry = await stack.gql(DELETE, { input: { connectionId: id, dryRun: true } });
    expect(dry.body.data).toMatchObject({ deleteConnection: { dryRun: true, userErrors: [] } });
    const real = await stack.gql(DELETE, { input: { connectionId: id, idempotencyKey: 'audit-key-1' } });
    expect(real.body.data).toMatchObject({ deleteConnection: { dryRun: false, userErrors: [] } });
    const entries = await walk({ kinds: ['MUTATION'], targetId: id });
    const [applied, dryRun] = entries;
    expect(applied).toMatchObject({
      tenant: 'acme',
      kind: 'MUTATION',
      operation: 'deleteConnection',
      targetIds: [id],
      dryRun: false,
      idempotencyKey: 'audit-key-1',
      outcome: 'APPLIED',
      code: null,
      requestId: real.headers.get('x-request-id'),
    });
    expect(applied!.actor).toMatch(/^key:/);
    expect(dryRun).toMatchObject({ dryRun: true, outcome: 'NOT_APPLIED', requestId: dry.headers.get('x-request-id') });
    // A delete of a connection already gone: recorded, not applied, with its userError's code.
    const again = await stack.gql(DELETE, { input: { connectionId: id } });
    expect(again.body.data).toMatchObject({ deleteConnection: { userErrors: [{ code: 'NOT_FOUND' }] } });
    const [last] = await walk({ kinds: ['MUTATION'], targetId: id });
    expect(last).toMatchObject({
      outcome: 'NOT_APPLIED',
      code: 'NOT_FOUND',
      requestId: again.headers.get('x-request-id'),
    });
  });

  it('records a 401 in the gateway-wide log, without the key, for the operators only', async () => {
    const badKey = newApiKey('stolen');
    const res = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${badKey}` },
      body: JSON.stringify({ query: 'query Probe { organizations { id } }', operationName: 'Probe' }),
    });
    expect(res.status).toBe(401);
    const requestId = res.headers.get('x-request-id');
    const entries = await walk({ gatewayWide: true, kinds: ['REFUSAL'] });
    expect(entries.find((e) => e.requestId === requestId)).toMatchObject({
      tenant: null,
      actor: null,
      kind: 'REFUSAL',
      operation: 'Probe',
      outcome: 'REFUSED',
      code: 'UNAUTHENTICATED',
      httpStatus: 401,
    });
    // Globex is not an operator tenant: the gateway-wide log is not its to read.
    const refused = await stack.gql(AUDIT, { filter: { gatewayWide: true } }, { apiKey: GLOBEX_KEY });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('records a 403 with the key id as actor, and reads the log for admin keys only', async () => {
    const keyOf = (role: string) => demoRoleKeys(stack.tenant.apiKey).find((k) => k.role === role)!.key;
    const res = await stack.gql(
      DELETE,
      { input: { connectionId: connId(ACME, 2), dryRun: true } },
      {
        apiKey: keyOf('reader'),
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const entries = await walk({ kinds: ['REFUSAL'] });
    expect(entries.find((e) => e.requestId === res.headers.get('x-request-id'))).toMatchObject({
      tenant: 'acme',
      actor: 'key:demo-reader',
      operation: 'DeleteIt',
      outcome: 'REFUSED',
      code: 'FORBIDDEN',
      httpStatus: 403,
    });
    for (const role of ['reader', 'writer', 'introspector']) {
      const refused = await stack.gql(AUDIT, {}, { apiKey: keyOf(role) });
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.body.data ?? null).toBeNull();
    }
    // The admin's own reads of the log are not refusals; the three refused reads are.
    const after = await walk({ kinds: ['REFUSAL'], operation: 'Audit' });
    expect(after.slice(0, 3).map((e) => e.actor)).toEqual([
      'key:demo-introspector',
      'key:demo-writer',
      'key:demo-reader',
    ]);
  });

  it('records a 429 with the key id as actor', async () => {
    // Its own gateway: one request per key a minute, so a key's second request is refused.
    const limited = await start({
      rateLimits: {
        enabled: true,
        keyRequests: { points: 1, windowSeconds: 60 },
        tenantRequests: false,
        keyCost: false,
        tenantCost: false,
        vendorCalls: false,
      },
    });
    try {
      const reader = demoRoleKeys(limited.tenant.apiKey).find((k) => k.role === 'reader')!.key;
      const query = 'query Names { organizations { id } }';
      expect((await limited.gql(query, undefined, { apiKey: reader })).status).toBe(200);
      const refused = await limited.gql(query, undefined, { apiKey: reader });
      expect(refused.status).toBe(429);
      // The admin key's one request of the minute reads the log.
      const res = await limited.gql<AuditPage>(AUDIT, { filter: { kinds: ['REFUSAL'] }, first: 100 });
      expect(res.body.errors).toBeUndefined();
      const entry = res.body.data!.auditLog.nodes.find((e) => e.requestId === refused.headers.get('x-request-id'));
      expect(entry).toMatchObject({
        tenant: 'acme',
        actor: 'key:demo-reader',
        outcome: 'REFUSED',
        code: 'RATE_LIMITED',
        httpStatus: 429,
      });
    } finally {
      await limited.close();
    }
  });

  it("records another tenant's ID answered NOT_FOUND, in the asking tenant's log", async () => {
    const foreign = connId(ACME, 0);
    const res = await stack.gql(
      'query Peek($id: ID!) { connection(id: $id) { id } }',
      { id: foreign },
      {
        apiKey: GLOBEX_KEY,
      },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const entries = await walk({ kinds: ['NOT_FOUND'] }, GLOBEX_KEY);
    expect(entries[0]).toMatchObject({
      tenant: 'globex',
      kind: 'NOT_FOUND',
      operation: 'Peek',
      targetIds: [foreign],
      outcome: 'REFUSED',
      code: 'NOT_FOUND',
      requestId: res.headers.get('x-request-id'),
    });
    // Acme's log does not show it: each tenant reads its own.
    expect((await walk({ kinds: ['NOT_FOUND'] })).map((e) => e.requestId)).not.toContain(
      res.headers.get('x-request-id'),
    );
  });

  it('records the actor of a JWT by its subject, never the token', async () => {
    const token = await new SignJWT({ sub: 'automation-7' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience('junction')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const id = connId(GLOBEX, 0);
    const res = await stack.gql(DELETE, { input: { connectionId: id, dryRun: true } }, { apiKey: token });
    expect(res.body.data).toMatchObject({ deleteConnection: { dryRun: true } });
    const [entry] = await walk({ kinds: ['MUTATION'], targetId: id }, GLOBEX_KEY);
    expect(entry).toMatchObject({ actor: 'jwt:automation-7', dryRun: true, outcome: 'NOT_APPLIED' });
    const everything = JSON.stringify([await walk({}, GLOBEX_KEY), lines.filter((l) => l.includes('"audit"'))]);
    expect(everything).not.toContain(token);
  });

  it('pages through every entry, newest first, each once', async () => {
    for (let i = 0; i < 4; i++) await stack.gql(DELETE, { input: { connectionId: connId(ACME, 0), dryRun: true } });
    const paged = await walk({}, undefined, 2);
    const whole = await walk({}, undefined, 500);
    expect(paged.length).toBeGreaterThanOrEqual(6);
    expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    expect(new Set(paged.map((e) => e.id)).size).toBe(paged.length);
    const times = paged.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const bad = await stack.gql(AUDIT, { first: 0 });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('holds no secret: no API key, JWT or vendor credential in any entry or audit log line', async () => {
    const entries = JSON.stringify([await walk(), await walk({}, GLOBEX_KEY), await walk({ gatewayWide: true })]);
    const logged = lines.filter((l) => l.includes('"audit"')).join('\n');
    expect(logged).toContain('"kind":"MUTATION"');
    const secrets = [
      ...demoRoleKeys(stack.tenant.apiKey).map((k) => k.key),
      GLOBEX_KEY,
      JWT_SECRET,
      SANDBOX_CREDENTIALS.leen.apiKey,
      SANDBOX_CREDENTIALS.userhub.apiKey,
      SANDBOX_CREDENTIALS.supervity.token,
      ...Object.values(SANDBOX_CREDENTIALS.outlit),
      ...Object.values(SANDBOX_CREDENTIALS.projectmanager),
    ];
    for (const secret of secrets) {
      expect(entries).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });

  it('keeps at most maxEntries per tenant, and nothing older than maxAgeSeconds', async () => {
    const clock = manualClock();
    await stack.close();
    const dryRun = (i: number | string) =>
      stack.gql(DELETE, { input: { connectionId: connId(ACME, 0), dryRun: true, idempotencyKey: `ret-${i}` } });
    if (backend === 'memory') {
      stack = await start({ audit: { operatorTenants: ['acme'], maxEntries: 3, maxAgeSeconds: 60 } }, clock);
      await dryRun('old');
      clock.advance(61_000);
    } else {
      // A Redis Stream's ids are Redis' clock: an entry two minutes old is written there with its own id.
      const old = { kind: 'MUTATION', idempotencyKey: 'ret-old', targetIds: [], time: new Date().toISOString() };
      const client = cluster
        ? new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })))
        : new Redis(redis!.url);
      await client.del(auditStreamKey('acme'));
      await client.xadd(auditStreamKey('acme'), `${Date.now() - 120_000}-0`, 'e', JSON.stringify(old));
      client.disconnect();
      stack = await start({ audit: { operatorTenants: ['acme'], maxEntries: 3, maxAgeSeconds: 60 } });
    }
    for (let i = 0; i < 5; i++) await dryRun(i);
    const kept = await walk({ kinds: ['MUTATION'] });
    expect(kept.map((e) => e.idempotencyKey)).toEqual(['ret-4', 'ret-3', 'ret-2']);
  });
});
