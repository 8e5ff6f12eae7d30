import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { demoRoleKeys } from '../../src/sandbox/demo-key.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * What an operator alerts on: /metrics counts every HTTP status (refusals
 * included), an automatic persisted query's first round trip is not an
 * anonymous error, and each mutation's log line says dry run or not, which
 * target, who asked, and how it ended.
 */

const ACME = LEEN_SEED[0]!;
const CONN = globalId(['Connection', 'LEEN', ACME.id, ACME.connections[0]!.id]);
const DELETE = `mutation ($input: DeleteConnectionInput!) { deleteConnection(input: $input) { dryRun userErrors { code } } }`;
const MAX_BODY = 20_000;

type LogLine = Record<string, unknown> & { msg: string };

describe('metrics and logs operators can alert on', { timeout: 60_000 }, () => {
  let stack: TestStack;
  const lines: LogLine[] = [];
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    stack = await startStack({
      config: { limits: { maxBodyBytes: MAX_BODY } },
      start: { logger: createLogger('info', sink) },
    });
    const roles = demoRoleKeys(stack.tenant.apiKey);
    reader = roles.find((r) => r.role === 'reader')!.key;
    writer = roles.find((r) => r.role === 'writer')!.key;
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    await stack.reset();
    lines.length = 0;
  });

  const metrics = async () => (await fetch(new URL('/metrics', stack.gateway.url))).text();
  /** The value of one sample, 0 when the series does not exist yet. */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const statusSeries = (status: number) => `junction_http_responses_total{route="/graphql",status="${status}"}`;

  it('counts responses by status: 200, 401, 403 and 413 all show in /metrics', async () => {
    const before = await metrics();
    expect((await stack.gql('{ organizations { id } }')).status).toBe(200);
    expect((await stack.gql('{ organizations { id } }', undefined, { apiKey: null })).status).toBe(401);
    expect((await stack.gql('{ organizations { id } }', undefined, { apiKey: 'jk_wrong_key' })).status).toBe(401);
    expect((await stack.gql(DELETE, { input: { connectionId: CONN, dryRun: true } }, { apiKey: reader })).status).toBe(
      403,
    );
    const large = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
      body: JSON.stringify({ query: `{ organizations { id } } # ${'x'.repeat(MAX_BODY)}` }),
    });
    expect(large.status).toBe(413);
    const after = await metrics();
    const delta = (status: number) => sample(after, statusSeries(status)) - sample(before, statusSeries(status));
    expect([delta(200), delta(401), delta(403), delta(413)]).toEqual([1, 2, 1, 1]);
    // The scrapes themselves are counted under their own route.
    expect(sample(after, 'junction_http_responses_total{route="/metrics",status="200"}')).toBeGreaterThanOrEqual(1);
  });

  it('an automatic persisted query miss is counted as a miss, not as an anonymous error', async () => {
    const query = `{ organizations { id displayName } }`;
    const hash = createHash('sha256').update(query).digest('hex');
    const anonymousErrors = 'junction_graphql_operations_total{operation="anonymous",type="unknown",outcome="error"}';
    const before = await metrics();
    const miss = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tenant.apiKey}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    expect(((await miss.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    const after = await metrics();
    expect(
      sample(after, 'junction_persisted_query_misses_total') - sample(before, 'junction_persisted_query_misses_total'),
    ).toBe(1);
    expect(sample(after, anonymousErrors)).toBe(sample(before, anonymousErrors));
  });

  it('a dry run and a real delete leave different log lines, each with its target, actor and outcome', async () => {
    const dry = await stack.gql(DELETE, { input: { connectionId: CONN, dryRun: true } }, { apiKey: writer });
    expect(dry.body.errors).toBeUndefined();
    const real = await stack.gql(
      DELETE,
      { input: { connectionId: CONN, confirmConnectionId: CONN, idempotencyKey: 'op-7' } },
      { apiKey: writer },
    );
    expect(real.body.errors).toBeUndefined();
    const mutationLines = lines.filter((l) => l.msg === 'mutation' || l.msg === 'mutation dry run');
    expect(mutationLines).toEqual([
      expect.objectContaining({
        msg: 'mutation dry run',
        tenant: 'acme',
        actor: 'key:demo-writer',
        requestId: dry.headers.get('x-request-id'),
        mutation: { operation: 'deleteConnection', dryRun: true, targetIds: [CONN], outcome: 'ok', codes: [] },
      }),
      expect.objectContaining({
        msg: 'mutation',
        actor: 'key:demo-writer',
        requestId: real.headers.get('x-request-id'),
        mutation: {
          operation: 'deleteConnection',
          dryRun: false,
          targetIds: [CONN],
          idempotencyKey: 'op-7',
          outcome: 'ok',
          codes: [],
        },
      }),
    ]);
    // The request lines name the actor too; no line holds a key.
    const requestLines = lines.filter((l) => l.msg === 'request completed');
    expect(requestLines.map((l) => l.actor)).toEqual(['key:demo-writer', 'key:demo-writer']);
    const text = JSON.stringify(lines);
    for (const secret of [writer, stack.tenant.apiKey]) expect(text).not.toContain(secret);
  });

  it('a mutation answered with userErrors is on the log as rejected, with their codes', async () => {
    const sharing = `mutation ($input: UpdateSharingInput!) { updateSharing(input: $input) { userErrors { code } } }`;
    const leen = await stack.gql(sharing, { input: { connectionId: CONN, teamKeys: [] } }, { apiKey: writer });
    expect(leen.body.errors).toBeUndefined();
    const line = lines.find((l) => l.msg === 'mutation');
    expect(line?.mutation).toEqual({
      operation: 'updateSharing',
      dryRun: false,
      targetIds: [CONN],
      outcome: 'rejected',
      codes: ['UNSUPPORTED_OPERATION'],
    });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });
});
