import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { startStack, type TestStack } from '../helpers/stack.js';
import { EVERY_VENDOR } from './helpers.js';

/**
 * OpenTelemetry over OTLP/HTTP, against a receiver the test runs: the spans a
 * gateway exports (request → operation → vendor attempt), their links to the
 * caller's trace and to the `traceparent` each vendor received, and what they
 * must never carry. Closing a gateway flushes its spans, so nothing is waited for.
 */

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; arrayValue?: unknown };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A bare OTLP/HTTP JSON receiver: what a collector would get. */
async function startReceiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const spansOf = (bodies: readonly string[]): OtlpSpan[] =>
  bodies.flatMap((b) =>
    (JSON.parse(b) as OtlpExport).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
  );
const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue !== undefined ? Number(value.intValue) : value?.boolValue);
};
const SERVER = 2;
const CLIENT = 3;

describe('tracing over OTLP/HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
    let stack: TestStack;
    let spans: OtlpSpan[];
    let leenTraceparents: string[];
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';

    beforeAll(async () => {
      stack = await startStack({
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'junction-test' },
        // The default attempt timeout: a healthy call slowed by a loaded machine is not retried, so attempts count faults only.
        config: { upstream: { retry: { initialDelayMs: 5, maxDelayMs: 20 } } },
      });
      // Leen's first answer is a 503, so its read takes two attempts: two vendor spans.
      stack.sandbox.get('LEEN').addFault({ method: 'GET', status: 503, times: 1 });
      const res = await stack.gql(EVERY_VENDOR, undefined, {
        headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` },
      });
      expect(res.body.errors).toBeUndefined();
      leenTraceparents = stack.sandbox
        .get('LEEN')
        .requests()
        .map((r) => String(r.headers.traceparent));
      await stack.close(); // flushes the batch processor
      spans = spansOf(receiver.bodies);
    });

    it('exports a request span joined to the caller, an operation span under it, and vendor spans under that', () => {
      const request = spans.find((s) => s.kind === SERVER)!;
      expect(request).toMatchObject({ traceId: callerTrace, parentSpanId: callerSpan, name: 'POST /graphql' });
      expect(attr(request, 'http.response.status_code')).toBe(200);
      expect(attr(request, 'junction.tenant')).toBe('acme');

      const operation = spans.find((s) => s.name === 'query EveryVendor')!;
      expect(operation).toMatchObject({ traceId: callerTrace, parentSpanId: request.spanId });
      expect(attr(operation, 'graphql.operation.type')).toBe('query');
      expect(attr(operation, 'graphql.operation.name')).toBe('EveryVendor');

      const vendorSpans = spans.filter((s) => s.kind === CLIENT);
      expect(new Set(vendorSpans.map((s) => attr(s, 'junction.vendor')))).toEqual(
        new Set(['LEEN', 'USERHUB', 'SUPERVITY', 'OUTLIT', 'PROJECTMANAGER']),
      );
      for (const span of vendorSpans)
        expect(span).toMatchObject({ traceId: callerTrace, parentSpanId: operation.spanId });
    });

    it('names each vendor attempt by route template, status and attempt number', () => {
      const leen = spans.filter((s) => s.kind === CLIENT && attr(s, 'junction.vendor') === 'LEEN');
      const attempts = leen.map((s) => `${attr(s, 'junction.attempt')}:${attr(s, 'http.response.status_code')}`);
      // One organization's read failed once and was retried; the others answered at once.
      expect(attempts.filter((a) => a === '1:503')).toHaveLength(1);
      expect(attempts.filter((a) => a === '2:200')).toHaveLength(1);
      expect(attempts.filter((a) => !['1:503', '2:200'].includes(a)).every((a) => a === '1:200')).toBe(true);
      for (const span of leen) {
        expect(attr(span, 'url.template')).toBe('/provisioning/organizations/{organizationId}/connections');
        expect(span.name).toBe('GET /provisioning/organizations/{organizationId}/connections');
      }
    });

    it('sends each vendor attempt the traceparent of its own span', () => {
      const leenSpanIds = spans
        .filter((s) => s.kind === CLIENT && attr(s, 'junction.vendor') === 'LEEN')
        .map((s) => s.spanId);
      const parents = leenTraceparents.map((header) => {
        const [version, traceId, parentId, flags] = header.split('-');
        expect([version, traceId, flags]).toEqual(['00', callerTrace, '01']);
        return parentId;
      });
      expect(parents.sort()).toEqual(leenSpanIds.sort());
      expect(new Set(parents).size).toBe(parents.length);
    });

    it('carries the service name, and never a credential, a vendor URL or a query document', () => {
      const exported = receiver.bodies.join('\n');
      expect(exported).toContain('"junction-test"');
      for (const secret of [
        stack.tenant.apiKey,
        SANDBOX_CREDENTIALS.leen.apiKey,
        SANDBOX_CREDENTIALS.userhub.apiKey,
        SANDBOX_CREDENTIALS.supervity.token,
        SANDBOX_CREDENTIALS.outlit.acme,
        SANDBOX_CREDENTIALS.projectmanager.acme,
      ])
        expect(exported).not.toContain(secret);
      expect(exported).not.toMatch(/https?:\/\/127\.0\.0\.1/);
      expect(exported).not.toContain('organizations {');
    });
  });

  it('is off when no OTLP endpoint is set: nothing is exported, vendors still get a traceparent', async () => {
    const before = receiver.bodies.length;
    const stack = await startStack({ env: {} });
    await stack.gql(EVERY_VENDOR);
    const sent = stack.sandbox.get('LEEN').requests()[0]!.headers.traceparent;
    await stack.close();
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(receiver.bodies.length).toBe(before);
  });

  it('reads the standard variables: a traces endpoint wins, the SDK switch and the none exporter turn it off', () => {
    const tracing = (env: NodeJS.ProcessEnv) => loadConfig(env, {}).tracing;
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlpEndpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }).otlpEndpoint,
    ).toBe('http://traces:4318/custom');
    expect(
      tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).otlpEndpoint,
    ).toBeUndefined();
    expect(
      tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).otlpEndpoint,
    ).toBeUndefined();
    expect(tracing({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({
      sampler: 'traceidratio',
      samplerArg: 0.25,
    });
    expect(() => tracing({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/tracing\.sampler/);
  });
});
