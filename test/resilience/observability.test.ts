import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR, FAST_UPSTREAM, metricValue, scrape } from './helpers.js';

/**
 * What operators see: one JSON log line per request with its request id,
 * request ids and W3C trace context passed on to vendors, no secret in any log
 * line, Prometheus metrics, and the health and readiness probes.
 */

const logLines: Record<string, unknown>[] = [];
const rawLog: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      rawLog.push(line);
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  },
});

describe('observability', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      config: { upstream: FAST_UPSTREAM },
      start: { logger: createLogger('debug', logSink) },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const leenRequests = () => stack.sandbox.get('LEEN').requests();
  const requestLine = (requestId: string) =>
    logLines.find((l) => l.msg === 'request completed' && l.requestId === requestId);

  describe('request ids and trace context', () => {
    it("accepts the client's x-request-id, echoes it, logs it, and sends it to the vendors", async () => {
      const requestId = 'req-observability-1';
      const res = await stack.gql(EVERY_VENDOR, undefined, { headers: { 'x-request-id': requestId } });
      expect(res.headers.get('x-request-id')).toBe(requestId);
      expect(leenRequests().length).toBeGreaterThan(0);
      for (const r of leenRequests()) expect(r.headers['x-request-id']).toBe(requestId);
      expect(requestLine(requestId)).toMatchObject({
        level: 30,
        route: '/graphql',
        method: 'POST',
        status: 200,
        tenant: 'acme',
        operationName: 'EveryVendor',
        operationType: 'query',
        outcome: 'ok',
      });
      expect(typeof requestLine(requestId)!.durationMs).toBe('number');
    });

    it('replaces a missing or unsafe x-request-id with a fresh UUID', async () => {
      const res = await stack.gql(EVERY_VENDOR, undefined, { headers: { 'x-request-id': 'a b\tc"{}' } });
      const requestId = res.headers.get('x-request-id')!;
      expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(leenRequests()[0]!.headers['x-request-id']).toBe(requestId);
    });

    it("joins the caller's W3C trace: vendors get the same trace id with the gateway's span as parent", async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpan = '00f067aa0ba902b7';
      const res = await stack.gql(EVERY_VENDOR, undefined, {
        headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
      });
      const sent = leenRequests().map((r) => String(r.headers.traceparent));
      expect(sent.length).toBeGreaterThan(0);
      const [, sentTrace, gatewaySpan, flags] = sent[0]!.split('-');
      expect(sentTrace).toBe(traceId);
      expect(gatewaySpan).toMatch(/^[0-9a-f]{16}$/);
      expect(gatewaySpan).not.toBe(callerSpan);
      expect(flags).toBe('01');
      expect(requestLine(res.headers.get('x-request-id')!)).toMatchObject({ traceId, spanId: gatewaySpan });
    });

    it('starts a new trace when the caller sends none or an invalid one', async () => {
      await stack.gql(EVERY_VENDOR, undefined, {
        headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
      });
      const sent = String(leenRequests()[0]!.headers.traceparent);
      expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(sent).not.toContain('00000000000000000000000000000000');
    });
  });

  describe('logs', () => {
    it('never contain the API key, the vendor credential or the Authorization header', async () => {
      const requestId = 'req-secrets';
      await stack.gql(EVERY_VENDOR, undefined, { headers: { 'x-request-id': requestId } });
      // A failing vendor call logs too (the contract breach warning): it must not leak either.
      stack.sandbox.get('LEEN').addFault({ status: 200, body: { apiKey: 'x', token: 'y' } });
      await stack.gql(EVERY_VENDOR);
      expect(requestLine(requestId)).toBeDefined();
      const all = rawLog.join('\n');
      expect(all).not.toContain(stack.tenant.apiKey);
      expect(all).not.toContain(SANDBOX_CREDENTIALS.leen.apiKey);
      expect(all.toLowerCase()).not.toContain('bearer ');
    });

    it('record failing operations with their outcome and error codes', async () => {
      stack.sandbox.get('LEEN').addFault({ status: 503 });
      const res = await stack.gql(EVERY_VENDOR);
      expect(requestLine(res.headers.get('x-request-id')!)).toMatchObject({
        status: 200,
        outcome: 'partial',
        errorCodes: ['UPSTREAM_UNAVAILABLE'],
      });
    });

    it('log a rejected (401) request with its request id, without a tenant', async () => {
      const res = await stack.gql(EVERY_VENDOR, undefined, {
        apiKey: 'jk_wrong',
        headers: { 'x-request-id': 'r-401' },
      });
      expect(res.status).toBe(401);
      const line = requestLine('r-401')!;
      expect(line).toMatchObject({ status: 401, route: '/graphql' });
      expect(line.tenant).toBeUndefined();
      expect(rawLog.join('\n')).not.toContain('jk_wrong');
    });
  });

  describe('metrics at /metrics', () => {
    it('are served in the Prometheus text format, with process metrics', async () => {
      const res = await fetch(new URL('/metrics', stack.gateway.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('# TYPE junction_graphql_operations_total counter');
      expect(text).toContain('process_resident_memory_bytes');
    });

    it('count operations by name and outcome', async () => {
      const labels = { operation: 'EveryVendor', type: 'query' };
      const before = await scrape(stack);
      await stack.gql(EVERY_VENDOR);
      await stack.reset(); // empty the cache, so the next query calls Leen
      stack.sandbox.get('LEEN').addFault({ status: 503 });
      await stack.gql(EVERY_VENDOR);
      const after = await scrape(stack);
      const delta = (outcome: string) =>
        metricValue(after, 'junction_graphql_operations_total', { ...labels, outcome }) -
        metricValue(before, 'junction_graphql_operations_total', { ...labels, outcome });
      expect(delta('ok')).toBe(1);
      // Leen is the only vendor in some builds: then the failing query has no data left and is an error.
      expect(delta('partial') + delta('error')).toBe(1);
    });

    it('measure upstream latency per vendor, method and status, and count retries', async () => {
      const before = await scrape(stack);
      await stack.gql(EVERY_VENDOR); // 200s
      await stack.reset(); // empty the cache, so the next query calls Leen
      stack.sandbox.get('LEEN').addFault({ status: 503 });
      await stack.gql(EVERY_VENDOR); // 503s, retried
      const after = await scrape(stack);
      const count = (text: string, status: string) =>
        metricValue(text, 'junction_upstream_request_duration_seconds_count', {
          vendor: 'LEEN',
          method: 'GET',
          status,
        });
      const leenPaths = Object.keys(stack.sandbox.get('LEEN').stats().byPath).length;
      expect(count(after, '200') - count(before, '200')).toBeGreaterThan(0);
      // Three attempts per resource, so two retries per resource.
      expect(count(after, '503') - count(before, '503')).toBe(3 * leenPaths);
      const retries = (text: string) =>
        metricValue(text, 'junction_upstream_retries_total', { vendor: 'LEEN', reason: '503' });
      expect(retries(after) - retries(before)).toBe(2 * leenPaths);
      expect(after).toMatch(
        /junction_upstream_request_duration_seconds_bucket\{(?=[^}]*vendor="LEEN")(?=[^}]*le="0\.1")/,
      );
    });

    it('count cache hits and misses, of reads and of whole answers', async () => {
      const before = await scrape(stack);
      await stack.gql(EVERY_VENDOR); // empty cache: read misses, answer stored
      await stack.gql(EVERY_VENDOR); // the whole answer from the response cache: no read looked up
      await stack.gql(`# same reads, another document\n${EVERY_VENDOR}`); // its answer is new, its reads are hits
      const after = await scrape(stack);
      const delta = (result: string) =>
        metricValue(after, 'junction_cache_lookups_total', { vendor: 'LEEN', result }) -
        metricValue(before, 'junction_cache_lookups_total', { vendor: 'LEEN', result });
      const leenReads = Object.keys(stack.sandbox.get('LEEN').stats().byPath).length;
      expect(delta('miss')).toBe(leenReads);
      expect(delta('hit')).toBe(leenReads);
      const answers = (result: string) =>
        metricValue(after, 'junction_response_cache_total', { result }) -
        metricValue(before, 'junction_response_cache_total', { result });
      expect(answers('stored')).toBe(2);
      expect(answers('hit')).toBe(1);
      // A cached answer still counts as an operation.
      const operations = (text: string) =>
        metricValue(text, 'junction_graphql_operations_total', { type: 'query', outcome: 'ok' });
      expect(operations(after) - operations(before)).toBe(3);
    });

    it('show the breaker state per vendor and tenant (0 = closed)', async () => {
      await stack.gql(EVERY_VENDOR);
      expect(await scrape(stack)).toMatch(/junction_upstream_breaker_state\{vendor="LEEN",tenant="acme"\} 0/);
    });
  });

  describe('probes', () => {
    it('/healthz says alive', async () => {
      const res = await fetch(new URL('/healthz', stack.gateway.url));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('/readyz says ready, with its checks, when no Redis is configured', async () => {
      const res = await fetch(new URL('/readyz', stack.gateway.url));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', ready: true, checks: { config: 'ok' } });
    });
  });
});

describe('log redaction (a second line of defence behind Secret)', () => {
  it('censors credential-named keys at any depth and letter case, in objects, arrays and errors, and keeps the rest', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }),
    );
    const error = Object.assign(new TypeError('vendor refused'), { config: { headers: { 'X-API-KEY': 'k-123' } } });
    logger.info(
      {
        req: {
          headers: {
            Authorization: 'Bearer jk_live_1',
            accept: 'application/json',
            // A forwarded user token, for a vendor the scrub has no list entry for: the header's shape is enough.
            'X-Junction-Newvendor-Token': 'fwd-789',
          },
        },
        attempts: [{ token: 'tok-456', status: 401 }],
        err: error,
        tenant: 'acme',
      },
      'upstream call',
    );
    const line = JSON.parse(lines.join('')) as {
      req: { headers: Record<string, string> };
      attempts: unknown[];
      err: { config: { headers: Record<string, string> } };
      tenant: string;
    };
    expect(JSON.stringify(line)).not.toMatch(/jk_live_1|tok-456|k-123|fwd-789/);
    expect(line.req.headers).toEqual({
      Authorization: '[redacted]',
      accept: 'application/json',
      'X-Junction-Newvendor-Token': '[redacted]',
    });
    expect(line.attempts).toEqual([{ token: '[redacted]', status: 401 }]);
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'vendor refused' });
    expect(line.err.config.headers['X-API-KEY']).toBe('[redacted]');
    expect(line.tenant).toBe('acme');
    // The logged object itself is untouched.
    expect(error.config.headers['X-API-KEY']).toBe('k-123');
  });
});
