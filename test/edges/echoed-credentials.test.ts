import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import type { FaultSpec } from '../../src/sandbox/simulator.js';
import { FORWARDED_CREDENTIAL_HEADERS } from '../../src/server/forwarded-credentials.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * Vendors that echo the credential they received inside a 4xx validation
 * message: Junction passes such messages on by design (VENDOR_REJECTED,
 * vendorErrors[].message, an upstream rejection's message), so it scrubs every
 * secret held for the request from vendor text first. Every vendor, every read
 * and write path, configured and forwarded credentials; responses and logs.
 */

const logs: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logs.push(chunk.toString('utf8'));
    done();
  },
});

/** Each vendor's own 4xx shape, quoting the credential where Junction reads the vendor's message. */
const REJECTION: Record<Vendor, Pick<FaultSpec, 'status' | 'body'>> = {
  LEEN: {
    status: 422,
    body: {
      detail: [{ loc: ['header', 'x-api-key'], msg: 'API key {{credential}} is not valid here', type: 'value_error' }],
    },
  },
  OUTLIT: {
    status: 400,
    body: {
      error: 'Invalid request',
      details: [{ path: ['authorization'], message: 'key {{credential}} is not allowed' }],
    },
  },
  SUPERVITY: { status: 400, body: { success: false, message: 'JWT {{credential}} lacks the integrations scope' } },
  USERHUB: {
    status: 400,
    body: { code: 'INVALID_ARGUMENT', message: 'Key {{credential}} cannot do this', param: 'authorization' },
  },
  PROJECTMANAGER: {
    status: 400,
    body: {
      success: false,
      hasError: true,
      statusCode: 'BadRequest',
      error: {
        message: 'Token {{credential}} is invalid',
        additionalErrors: ['token={{credential}}'],
        validationErrors: { authorization: ['Bearer {{credential}}'] },
      },
    },
  },
};

const LIST = /* GraphQL */ `
  query ($vendor: Vendor!) {
    organizations {
      id
      connections {
        id
      }
    }
    connections(filter: { vendor: [$vendor] }) {
      vendorErrors {
        code
        message
      }
    }
    providers(vendor: $vendor) {
      slug
      actions {
        name
      }
    }
  }
`;
const ONE = 'query ($id: ID!) { connection(id: $id) { id health { name } actions { name } } }';
const PAYLOAD = 'connection { id } userErrors { code field message }';
const DELETE = `mutation ($id: ID!) { m: deleteConnection(input: { connectionId: $id }) { ${PAYLOAD} } }`;
const DISCONNECT = `mutation ($id: ID!, $slug: String) { m: disconnectIntegration(input: { connectionId: $id, confirmProvider: $slug }) { ${PAYLOAD} } }`;
const SHARE = `mutation ($id: ID!) { m: updateSharing(input: { connectionId: $id, teamKeys: ["ops"] }) { ${PAYLOAD} } }`;

interface Path {
  readonly name: string;
  readonly fault: Pick<FaultSpec, 'method' | 'pathPrefix'>;
  readonly query: string;
  /** Needs a connection ID of the vendor. */
  readonly byConnection: boolean;
}

const read = (name: string, pathPrefix: string, query = LIST, byConnection = false): Path => ({
  name,
  fault: { method: 'GET', pathPrefix },
  query,
  byConnection,
});
const write = (name: string, method: string, query: string): Path => ({
  name,
  fault: { method },
  query,
  byConnection: true,
});

/** Every read and write path of every vendor. */
const PATHS: Record<Vendor, readonly Path[]> = {
  LEEN: [
    read('list connections', '/provisioning/organizations'),
    read('get connection', '/provisioning/organizations/', ONE, true),
    write('delete connection', 'DELETE', DELETE),
  ],
  OUTLIT: [
    read('list integrations', '/api/integrations'),
    read('sync status', '/api/integrations/sync-status', ONE, true),
    write('disconnect', 'POST', DISCONNECT),
  ],
  SUPERVITY: [
    read('integrations/me', '/api/v1/integrations/me'),
    read('integrations/me for one connection', '/api/v1/integrations/me', ONE, true),
    write('disconnect actions', 'DELETE', DISCONNECT),
    write('sharing', 'PATCH', SHARE),
  ],
  USERHUB: [
    read('organization', '/admin/v1/organizations'),
    read('organization for one connection', '/admin/v1/organizations', ONE, true),
    write('disconnect', 'POST', DELETE),
  ],
  PROJECTMANAGER: [
    read('providers', '/api/data/integrations/providers'),
    read('providers for one connection', '/api/data/integrations/providers', ONE, true),
    write('delete user connection', 'DELETE', DISCONNECT),
  ],
};

/** User tokens forwarded for the user-scoped vendors (the sandbox accepts these). */
const FORWARDED: Partial<Record<Vendor, string>> = {
  SUPERVITY: SANDBOX_CREDENTIALS.supervity.userToken,
  PROJECTMANAGER: SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser,
};

const CASES = (Object.keys(PATHS) as Vendor[]).flatMap((vendor) =>
  PATHS[vendor].flatMap((path) => [
    { vendor, path, forwarded: false },
    ...(FORWARDED[vendor] ? [{ vendor, path, forwarded: true }] : []),
  ]),
);

describe('a vendor echoing the credential it received in a 4xx message', () => {
  let stack: TestStack;
  /** Credentials the simulators received and echoed, across all cases. */
  const echoed = new Set<string>();
  const responses: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ start: { logger: createLogger('trace', sink) } });
  });
  afterAll(() => stack.close());

  const firstConnectionId = async (vendor: Vendor, headers: Record<string, string>) => {
    const { body } = await stack.gql<{ connections: { nodes: { id: string; provider: { slug: string } }[] } }>(
      'query ($v: Vendor!) { connections(filter: { vendor: [$v] }) { nodes { id provider { slug } } } }',
      { v: vendor },
      { headers },
    );
    return body.data!.connections.nodes[0]!;
  };

  it.each(CASES)('$vendor $path.name (forwarded token: $forwarded): scrubbed from the answer', async (c) => {
    await stack.reset();
    const headers: Record<string, string> = c.forwarded
      ? { [FORWARDED_CREDENTIAL_HEADERS[c.vendor as 'SUPERVITY']]: FORWARDED[c.vendor]! }
      : {};
    const target = c.path.byConnection ? await firstConnectionId(c.vendor, headers) : undefined;
    await stack.reset();
    const simulator = stack.sandbox.get(c.vendor);
    simulator.addFault({ ...c.path.fault, ...REJECTION[c.vendor], echoCredential: true });

    const variables = target ? { id: target.id, slug: target.provider.slug } : { vendor: c.vendor };
    const { body } = await stack.gql(c.path.query, variables, { headers });
    const text = JSON.stringify(body);
    responses.push(text);

    // The vendor did echo, and its message did reach the client, scrubbed.
    const served = simulator.requests().filter((r) => r.servedBy === 'fault');
    expect(served.length).toBeGreaterThan(0);
    const sent = new Set(
      served.map((r) => String(r.headers['x-api-key'] ?? r.headers.authorization).replace(/^Bearer /, '')),
    );
    for (const credential of sent) {
      expect(JSON.stringify(served.map((r) => r.responseBody))).toContain(credential);
      echoed.add(credential);
      expect(text).not.toContain(credential);
    }
    if (c.forwarded) expect(sent).toEqual(new Set([FORWARDED[c.vendor]]));
    expect(text).toContain('[redacted]');
  });

  it('no echoed credential reached any response or log line', () => {
    // 7 configured (Leen, UserHub, Supervity, two Outlit organizations, two ProjectManager workspaces) + 2 forwarded.
    expect(echoed.size).toBe(9);
    const all = responses.join('\n');
    const logged = logs.join('');
    expect(logged).toContain('request completed');
    for (const credential of echoed) {
      expect(all).not.toContain(credential);
      expect(logged).not.toContain(credential);
    }
  });
});
