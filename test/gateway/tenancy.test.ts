import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { SUPERVITY_SEED } from '../../src/sandbox/supervity/seed.js';
import { FORWARDED_CREDENTIAL_HEADERS } from '../../src/server/forwarded-credentials.js';
import { globalId, newApiKey, sha256, startStack, type GraphQLResult, type TestStack } from '../helpers/stack.js';

/**
 * Authentication and tenant isolation, over HTTP. Tenant "acme" (the stack's
 * default) has both seeded Leen organizations; tenant "globex" has only Globex;
 * tenant "stale" has Globex too, but a Leen key Leen rejects.
 */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const orgId = (org: string) => globalId(['Organization', 'LEEN', org]);
const connId = (org: string, conn: string) => globalId(['Connection', 'LEEN', org, conn]);
const GLOBEX_KEY = newApiKey('globex');
const STALE_KEY = newApiKey('stale');

const ORG = `query ($id: ID!) { organization(id: $id) { id connections { id } } }`;
const CONNECTION = `query ($id: ID!) { connection(id: $id) { id status } }`;
const NODE = `query ($id: ID!) { node(id: $id) { id } }`;
const DELETE = `mutation ($input: DeleteConnectionInput!) {
  deleteConnection(input: $input) { dryRun connection { id } userErrors { code field message } }
}`;
const DISCONNECT = `mutation ($input: DisconnectIntegrationInput!) {
  disconnectIntegration(input: $input) { dryRun connection { id } userErrors { code field message } }
}`;

/** Private: an error or payload with every ID replaced, to compare "someone else's" with "missing". */
const withoutIds = (value: unknown, ids: string[]) =>
  ids.reduce((text, id) => text.split(id).join('<id>'), JSON.stringify(value));

describe('tenant authentication and isolation', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      extraTenants: (sandbox) => {
        const base = { baseUrl: sandbox.get('LEEN').url, organizations: [{ id: GLOBEX.id, displayName: 'Globex' }] };
        return [
          {
            id: 'globex',
            apiKeySha256: [sha256(GLOBEX_KEY)],
            vendors: { leen: { ...base, apiKey: SANDBOX_CREDENTIALS.leen.apiKey } },
          },
          {
            id: 'stale',
            apiKeySha256: [sha256(STALE_KEY)],
            vendors: { leen: { ...base, apiKey: 'leen_revoked_key' } },
          },
        ];
      },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const asGlobex = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    stack.gql<T>(query, variables, { apiKey: GLOBEX_KEY });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['an unknown key', { authorization: 'Bearer jk_unknown' }],
      ['a scheme other than Bearer', { authorization: `Basic ${Buffer.from('acme:x').toString('base64')}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a key that differs in one character', 'one-off'],
    ])(
      '%s: 401 UNAUTHENTICATED, WWW-Authenticate: Bearer, no vendor call, for queries and mutations',
      async (_l, h) => {
        const headers =
          h === 'one-off'
            ? { authorization: `Bearer ${stack.tenant.apiKey.slice(0, -1)}x` }
            : (h as Record<string, string>);
        for (const [query, variables] of [
          ['{ organizations { connections { id } } }', undefined],
          [DELETE, { input: { connectionId: connId(ACME.id, ACME.connections[0]!.id) } }],
        ] as const) {
          const res = await fetch(stack.gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ query, variables }),
          });
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
          const body = (await res.json()) as GraphQLResult['body'];
          expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
          expect(body.data).toBeUndefined();
        }
        expect(stack.sandbox.totalRequests()).toBe(0);
      },
    );

    it('a GET without a key is 401 too, and the key is not echoed for a wrong one', async () => {
      const url = new URL(stack.gateway.url);
      url.searchParams.set('query', '{ organizations { id } }');
      const res = await fetch(url, {
        headers: { 'apollo-require-preflight': 'true', authorization: 'Bearer jk_secret_guess_42' },
      });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('jk_secret_guess_42');
    });

    it('each key authenticates its own tenant: the same query shows each its own organizations', async () => {
      const acme = await stack.gql<{ organizations: { id: string }[] }>('{ organizations { id } }');
      const globex = await asGlobex<{ organizations: { id: string }[] }>('{ organizations { id } }');
      // acme has every organization of the sandbox, globex one Leen organization.
      expect(acme.body.data!.organizations.map((o) => o.id)).toEqual(
        expect.arrayContaining([orgId(ACME.id), orgId(GLOBEX.id)]),
      );
      expect(acme.body.data!.organizations.length).toBeGreaterThan(2);
      expect(globex.body.data!.organizations.map((o) => o.id)).toEqual([orgId(GLOBEX.id)]);
    });

    it('a key that authenticated before (remembered, not hashed again) keeps its tenant; keys near it stay 401', async () => {
      const key = stack.tenant.apiKey;
      const tenantOf = async (apiKey: string) =>
        (await stack.gql<{ organizations: { id: string }[] }>('{ organizations { id } }', undefined, { apiKey })).body
          .data?.organizations.length;
      const [acmeCount, globexCount] = [await tenantOf(key), await tenantOf(GLOBEX_KEY)];
      expect(globexCount).toBe(1);
      for (let i = 0; i < 3; i += 1) {
        expect(await tenantOf(key)).toBe(acmeCount);
        expect(await tenantOf(GLOBEX_KEY)).toBe(globexCount);
      }
      const lastSwapped = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
      for (const near of [key.slice(0, -1), `${key}0`, key.toUpperCase(), lastSwapped]) {
        const res = await stack.gql('{ __typename }', undefined, { apiKey: near });
        expect(res.status, near).toBe(401);
      }
      expect((await stack.gql('{ __typename }', undefined, { apiKey: key })).status).toBe(200);
    });
  });

  describe("tenant B cannot reach tenant A's data", () => {
    const acmeConnection = ACME.connections[0]!;

    it("lists only its own organizations' connections", async () => {
      const { body } = await asGlobex<{ connections: { nodes: { id: string }[] } }>('{ connections { nodes { id } } }');
      expect(body.data!.connections.nodes.map((n) => n.id)).toEqual(
        GLOBEX.connections.map((c) => connId(GLOBEX.id, c.id)),
      );
      expect(
        stack.sandbox
          .get('LEEN')
          .requests()
          .map((r) => r.path),
      ).toEqual([`/provisioning/organizations/${GLOBEX.id}/connections`]);
    });

    it.each([
      ['organization', ORG, orgId(ACME.id), orgId(randomUUID())],
      ['connection', CONNECTION, connId(ACME.id, acmeConnection.id), connId(randomUUID(), randomUUID())],
      ['node (organization)', NODE, orgId(ACME.id), orgId(randomUUID())],
      ['node (connection)', NODE, connId(ACME.id, acmeConnection.id), connId(randomUUID(), randomUUID())],
    ])(
      "reading A's %s by its valid ID is NOT_FOUND, exactly like a missing one, with no vendor call",
      async (_label, query, theirs, missing) => {
        const other = await asGlobex(query, { id: theirs });
        const absent = await asGlobex(query, { id: missing });
        expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
        expect(other.status).toBe(absent.status);
        expect(withoutIds(other.body, [theirs])).toBe(withoutIds(absent.body, [missing]));
        expect(stack.sandbox.totalRequests()).toBe(0);
      },
    );

    it("deleting A's connection, dry run or not, is the userError NOT_FOUND, like a missing one; nothing is deleted", async () => {
      const theirs = connId(ACME.id, acmeConnection.id);
      const missing = connId(randomUUID(), randomUUID());
      for (const dryRun of [true, false]) {
        const other = await asGlobex(DELETE, { input: { connectionId: theirs, dryRun } });
        const absent = await asGlobex(DELETE, { input: { connectionId: missing, dryRun } });
        expect(other.body.data).toEqual({
          deleteConnection: {
            dryRun,
            connection: null,
            userErrors: [{ code: 'NOT_FOUND', field: ['input'], message: expect.any(String) }],
          },
        });
        expect(withoutIds(other.body, [theirs])).toBe(withoutIds(absent.body, [missing]));
      }
      expect(stack.sandbox.totalRequests()).toBe(0);
      // A still has it.
      const still = await stack.gql(CONNECTION, { id: theirs });
      expect(still.body.data).toEqual({ connection: { id: theirs, status: 'ACTIVE' } });
    });

    it("disconnecting an integration of A's organization is NOT_FOUND with no vendor call", async () => {
      const theirs = orgId(ACME.id);
      const missing = orgId(randomUUID());
      for (const dryRun of [true, false]) {
        const other = await asGlobex(DISCONNECT, { input: { organizationId: theirs, provider: 'TENABLE', dryRun } });
        const absent = await asGlobex(DISCONNECT, { input: { organizationId: missing, provider: 'TENABLE', dryRun } });
        expect(other.body.data).toMatchObject({ disconnectIntegration: { userErrors: [{ code: 'NOT_FOUND' }] } });
        expect(withoutIds(other.body, [theirs])).toBe(withoutIds(absent.body, [missing]));
        const byConnection = await asGlobex(DISCONNECT, {
          input: { connectionId: connId(ACME.id, acmeConnection.id), dryRun },
        });
        expect(byConnection.body.data).toMatchObject({
          disconnectIntegration: { userErrors: [{ code: 'NOT_FOUND' }] },
        });
      }
      expect(stack.sandbox.totalRequests()).toBe(0);
    });

    it("a forged ID pairing B's organization with A's connection deletes nothing of A's", async () => {
      const forged = connId(GLOBEX.id, acmeConnection.id);
      const read = await asGlobex(CONNECTION, { id: forged });
      expect(read.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const del = await asGlobex(DELETE, { input: { connectionId: forged } });
      expect(del.body.data).toMatchObject({
        deleteConnection: { connection: null, userErrors: [{ code: 'NOT_FOUND' }] },
      });
      // Every call Junction made stayed under B's organization…
      for (const request of stack.sandbox.get('LEEN').requests())
        expect(request.path.startsWith(`/provisioning/organizations/${GLOBEX.id}/`)).toBe(true);
      // …and A's connection is still there.
      const still = await stack.gql(CONNECTION, { id: connId(ACME.id, acmeConnection.id) });
      expect(still.body.data).toMatchObject({ connection: { status: 'ACTIVE' } });
    });
  });

  describe('per-tenant caches and idempotency records', () => {
    it("a tenant never gets another tenant's cached reads of the same organization", async () => {
      const first = await asGlobex(ORG, { id: orgId(GLOBEX.id) });
      expect(first.body.errors).toBeUndefined();
      // Same organization, same query: "stale" must go to Leen with its own (revoked) key, not read globex's cache.
      const stale = await stack.gql(ORG, { id: orgId(GLOBEX.id) }, { apiKey: STALE_KEY });
      expect(stale.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', vendor: 'LEEN' });
      expect(stack.sandbox.get('LEEN').stats().total).toBe(2);
      // While globex's cached read still serves globex.
      const again = await asGlobex(ORG, { id: orgId(GLOBEX.id) });
      expect(again.body).toEqual(first.body);
      expect(stack.sandbox.get('LEEN').stats().total).toBe(2);
    });

    it('the same idempotency key in two tenants names two different records', async () => {
      const key = `shared-${randomUUID()}`;
      const [acmeTarget, globexTarget] = [GLOBEX.connections[0]!, GLOBEX.connections[1]!];
      const a = await stack.gql(DELETE, {
        input: { connectionId: connId(GLOBEX.id, acmeTarget.id), idempotencyKey: key },
      });
      expect(a.body.data).toMatchObject({
        deleteConnection: { userErrors: [], connection: { id: connId(GLOBEX.id, acmeTarget.id) } },
      });
      // In globex, the key is new: its own delete runs (no IDEMPOTENCY_KEY_REUSED, not acme's result).
      const b = await asGlobex(DELETE, {
        input: { connectionId: connId(GLOBEX.id, globexTarget.id), idempotencyKey: key },
      });
      expect(b.body.data).toMatchObject({
        deleteConnection: { userErrors: [], connection: { id: connId(GLOBEX.id, globexTarget.id) } },
      });
      expect(
        stack.sandbox
          .get('LEEN')
          .requests()
          .filter((r) => r.method === 'DELETE')
          .map((r) => r.path.split('/').at(-1)),
      ).toEqual([acmeTarget.id, globexTarget.id]);
    });
  });
});

describe('forwarded user credentials', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const authorizations = (vendor: 'SUPERVITY' | 'PROJECTMANAGER') =>
    stack.sandbox
      .get(vendor)
      .requests()
      .map((r) => r.headers.authorization);
  const QUERY = `query ($s: ID!, $p: ID!) {
    s: organization(id: $s) { connections { id } }
    p: organization(id: $p) { connections { id } }
  }`;
  const variables = {
    s: globalId(['Organization', 'SUPERVITY', SUPERVITY_SEED[0]!.id]),
    p: globalId(['Organization', 'PROJECTMANAGER', 'acme']),
  };

  it("the documented headers replace the tenant's vendor credential for that request, with reads cached per user", async () => {
    const service = await stack.gql(QUERY, variables);
    expect(service.body.errors).toBeUndefined();
    const headers = {
      [FORWARDED_CREDENTIAL_HEADERS.SUPERVITY]: SANDBOX_CREDENTIALS.supervity.userToken,
      [FORWARDED_CREDENTIAL_HEADERS.PROJECTMANAGER]: `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser}`,
    };
    const user = await stack.gql(QUERY, variables, { headers });
    expect(user.body.errors).toBeUndefined();
    // The service credential first; then the user's, fetched anew (the service's cached reads are not theirs).
    expect(authorizations('SUPERVITY')).toEqual([
      `Bearer ${SANDBOX_CREDENTIALS.supervity.token}`,
      `Bearer ${SANDBOX_CREDENTIALS.supervity.userToken}`,
    ]);
    expect(authorizations('PROJECTMANAGER')).toEqual([
      `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acme}`,
      `Bearer ${SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser}`,
    ]);
    // The same user again: from the cache.
    await stack.gql(QUERY, variables, { headers });
    expect(authorizations('SUPERVITY')).toHaveLength(2);
    expect(authorizations('PROJECTMANAGER')).toHaveLength(2);
  });
});

describe('credentials never reach a response or a log line', () => {
  it('with vendors echoing received credentials, forwarded user tokens, a wrong key and a revoked vendor key stay secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const leenKey = `leen_revoked_${randomUUID()}`;
    // Revoked credentials for every vendor: each simulator answers 401 and echoes what it received.
    const revoked = {
      outlit: `ok_revoked_${randomUUID()}`,
      supervity: `eyJhbGciOiJIUzI1NiJ9.revoked.${randomUUID()}`,
      userhub: `uh_revoked_${randomUUID()}`,
      projectmanager: `pm_revoked_${randomUUID()}`,
    };
    const apiKey = newApiKey('echo');
    const forwarded = Object.fromEntries(
      Object.values(FORWARDED_CREDENTIAL_HEADERS).map((header) => [header, `user-token-${randomUUID()}`]),
    );
    const stack = await startStack({
      sandbox: { echoCredentials: true },
      start: { logger: createLogger('trace', sink) },
      extraTenants: (sandbox) => {
        const echo = demoTenantConfig(sandbox, 'echo', apiKey) as {
          vendors: Record<string, { apiKey?: string; token?: string; organizations: Record<string, unknown>[] }>;
        };
        const v = echo.vendors;
        v.leen!.apiKey = leenKey;
        v.userhub!.apiKey = revoked.userhub;
        v.supervity!.token = revoked.supervity;
        v.outlit!.organizations = v.outlit!.organizations.map((o) => ({ ...o, apiKey: revoked.outlit }));
        v.projectmanager!.organizations = v.projectmanager!.organizations.map((o) => ({
          ...o,
          token: revoked.projectmanager,
        }));
        return [echo];
      },
    });
    try {
      const secrets = [
        leenKey,
        ...Object.values(revoked),
        apiKey,
        stack.tenant.apiKey,
        'jk_wrong_guess_7f3a',
        ...Object.values(forwarded),
      ];
      const responses: string[] = [];
      const send = async (key: string, query: string, variables?: Record<string, unknown>) =>
        responses.push(JSON.stringify((await stack.gql(query, variables, { apiKey: key, headers: forwarded })).body));
      await send(
        apiKey,
        '{ organizations { connections { id } } connections { nodes { id } vendorErrors { vendor code message } } }',
      );
      await send(apiKey, DELETE, { input: { connectionId: connId(GLOBEX.id, GLOBEX.connections[0]!.id) } });
      // Without forwarded tokens, so the configured (revoked) ones are sent.
      responses.push(
        JSON.stringify(
          (
            await stack.gql('{ connections { nodes { id } vendorErrors { vendor code message } } }', undefined, {
              apiKey,
            })
          ).body,
        ),
      );
      await send('jk_wrong_guess_7f3a', '{ organizations { id } }');
      // The default tenant (every vendor of the sandbox) with every user token forwarded.
      await send(stack.tenant.apiKey, '{ organizations { connections { id } } }');
      await send(stack.tenant.apiKey, DELETE, { input: { connectionId: connId(ACME.id, randomUUID()) } });

      // The sandbox did echo: the leak test is not vacuous.
      const echoed = JSON.stringify(
        stack.sandbox
          .get('LEEN')
          .requests()
          .map((r) => r.responseBody),
      );
      expect(echoed).toContain(leenKey);
      expect(responses.join('\n')).toContain('UPSTREAM_UNAUTHORIZED');
      expect(lines.join('')).toContain('request authenticated');
      // Forwarded tokens reached the vendors that take them (those the sandbox runs), and nothing else.
      for (const [vendor, header] of Object.entries(FORWARDED_CREDENTIAL_HEADERS)) {
        const simulator = stack.sandbox.simulators.get(vendor as never);
        if (simulator) expect(JSON.stringify(simulator.requests().map((r) => r.headers))).toContain(forwarded[header]!);
      }
      for (const secret of secrets) {
        expect(responses.join('\n')).not.toContain(secret);
        expect(lines.join('')).not.toContain(secret);
      }
    } finally {
      await stack.close();
    }
  });

  it('a malformed forwarded credential header is 400 naming the header, not echoing its value', async () => {
    const stack = await startStack();
    try {
      const header = FORWARDED_CREDENTIAL_HEADERS.SUPERVITY;
      const { status, body } = await stack.gql('{ organizations { id } }', undefined, {
        headers: { [header]: 'two words-secret-9b1' },
      });
      expect(status).toBe(400);
      expect(body.errors?.[0]?.message).toContain(header);
      expect(JSON.stringify(body)).not.toContain('secret-9b1');
      expect(stack.sandbox.totalRequests()).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
