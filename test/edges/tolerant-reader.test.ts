import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { USERHUB_SEED } from '../../src/sandbox/userhub/seed.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';
import { metricValue, scrape } from '../resilience/helpers.js';

/**
 * Tolerant reading: vendors add providers and states without notice. A value
 * the contract does not list is kept (raw in vendorStatus / the provider slug,
 * unified status UNKNOWN), logged and counted once per value, and never costs
 * the rest of the list. The vendor's real answer is fetched, one value
 * changed, and served back through the simulator's fault injection.
 */

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const CONNECTIONS = /* GraphQL */ `
  query ($id: ID!) {
    organization(id: $id) {
      state
      connections {
        id
        status
        vendorStatus
        provider {
          slug
        }
      }
    }
  }
`;

type Row = { id: string; status: string; vendorStatus: string; provider: { slug: string } };

describe('tolerant reading of vendor responses', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ start: { logger: createLogger('warn', sink) } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  /** The simulator's real answer to a GET, as Junction would receive it. */
  const realBody = async (vendor: Vendor, path: string, headers: Record<string, string>) => {
    const res = await fetch(`${stack.sandbox.get(vendor).url}${path}`, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const serve = (vendor: Vendor, path: string, body: unknown) =>
    stack.sandbox.get(vendor).addFault({ method: 'GET', pathPrefix: path, status: 200, body });
  const unknownLines = (value: string) =>
    lines.filter((l) => l.msg === 'vendor sent a value its contract does not list; kept as is' && l.value === value);

  it('Outlit: a provider id and a status the contract does not list are kept; the other connections and the providers still load', async () => {
    const body = (await realBody('OUTLIT', '/api/integrations', {
      authorization: `Bearer ${SANDBOX_CREDENTIALS.outlit.acme}`,
    })) as { items: Record<string, unknown>[] };
    const known = body.items.filter((i) => i.status === 'connected').length;
    body.items.push(
      { id: 'salesforce-x1', name: 'Salesforce', category: 'crm', status: 'connected', connectionId: 'sf-1' },
      { ...body.items.find((i) => i.id === 'pylon')!, status: 'reauthorizing' },
    );
    serve('OUTLIT', '/api/integrations', body);
    const id = globalId(['Organization', 'OUTLIT', 'acme']);
    for (let round = 0; round < 2; round++) {
      const res = await stack.gql<{ organization: { connections: Row[] } }>(CONNECTIONS, { id });
      expect(res.body.errors).toBeUndefined();
      const rows = res.body.data!.organization.connections;
      expect(rows).toHaveLength(known + 2);
      expect(rows.find((c) => c.provider.slug === 'salesforce-x1')).toMatchObject({
        status: 'ACTIVE',
        vendorStatus: 'connected',
      });
      expect(rows.find((c) => c.provider.slug === 'pylon')).toMatchObject({
        status: 'UNKNOWN',
        vendorStatus: 'reauthorizing',
      });
    }
    const providers = await stack.gql<{ providers: { slug: string }[] }>('{ providers(vendor: OUTLIT) { slug } }');
    expect(providers.body.errors).toBeUndefined();
    expect(providers.body.data!.providers.map((p) => p.slug)).toContain('salesforce-x1');
    // The unknown provider's connection is readable by its ID; nothing off-contract is sent (sync-status takes listed ids).
    const one = await stack.gql<{ connection: Row }>(
      'query ($id: ID!) { connection(id: $id) { status provider { slug } } }',
      {
        id: globalId(['Connection', 'OUTLIT', 'acme', 'salesforce-x1']),
      },
    );
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data!.connection.provider.slug).toBe('salesforce-x1');
    expect(
      stack.sandbox
        .get('OUTLIT')
        .requests()
        .filter((r) => r.query.provider === 'salesforce-x1'),
    ).toEqual([]);
    // Logged and counted once per value, however often it is read.
    expect(unknownLines('salesforce-x1')).toHaveLength(1);
    expect(unknownLines('reauthorizing')).toHaveLength(1);
    const metrics = await scrape(stack);
    expect(
      metricValue(metrics, 'junction_vendor_unknown_values_total', { vendor: 'OUTLIT', field: 'integration id' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'junction_vendor_unknown_values_total', { vendor: 'OUTLIT', field: 'integration status' }),
    ).toBe(1);
  });

  it('Leen: a connection state the contract does not list is UNKNOWN with the raw state; the rest of the list loads', async () => {
    const org = LEEN_SEED[0]!;
    const path = `/provisioning/organizations/${org.id}/connections`;
    const body = (await realBody('LEEN', path, {
      'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey,
    })) as unknown as Record<string, unknown>[];
    body[0] = { ...body[0], state: 'QUARANTINED' };
    serve('LEEN', path, body);
    const res = await stack.gql<{ organization: { connections: Row[] } }>(CONNECTIONS, {
      id: globalId(['Organization', 'LEEN', org.id]),
    });
    expect(res.body.errors).toBeUndefined();
    const rows = res.body.data!.organization.connections;
    expect(rows).toHaveLength(body.length);
    expect(rows.find((c) => c.vendorStatus === 'QUARANTINED')).toMatchObject({ status: 'UNKNOWN' });
    expect(rows.filter((c) => c.status !== 'UNKNOWN')).toHaveLength(body.length - 1);
    const filtered = await stack.gql<{ connections: { nodes: Row[] } }>(
      '{ connections(filter: { vendor: [LEEN], status: [UNKNOWN] }) { nodes { vendorStatus } } }',
    );
    expect(filtered.body.data!.connections.nodes).toEqual([{ vendorStatus: 'QUARANTINED' }]);
    expect(unknownLines('QUARANTINED')).toHaveLength(1);
  });

  it('UserHub: unknown organization and connection states are kept and reported', async () => {
    const org = USERHUB_SEED[0]!;
    const path = `/admin/v1/organizations/${org.id}`;
    const body = (await realBody('USERHUB', path, {
      authorization: `Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}`,
    })) as { state: string; accountConnections: { connection: { state: string } }[] };
    body.state = 'LEGAL_HOLD';
    body.accountConnections[0]!.connection.state = 'SUSPENDED_BY_PROVIDER';
    serve('USERHUB', path, body);
    const res = await stack.gql<{ organization: { state: string; connections: Row[] } }>(CONNECTIONS, {
      id: globalId(['Organization', 'USERHUB', org.id]),
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.organization.state).toBe('LEGAL_HOLD');
    const rows = res.body.data!.organization.connections;
    expect(rows).toHaveLength(body.accountConnections.length);
    expect(rows[0]).toMatchObject({ status: 'UNKNOWN', vendorStatus: 'SUSPENDED_BY_PROVIDER' });
    expect(unknownLines('LEGAL_HOLD')).toHaveLength(1);
    expect(unknownLines('SUSPENDED_BY_PROVIDER')).toHaveLength(1);
  });
});
