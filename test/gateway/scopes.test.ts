import { buildSchema, type GraphQLObjectType } from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/server/apollo.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { demoRoleKeys } from '../../src/sandbox/demo-key.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';
import { sseSubscribe, wsConnect } from '../helpers/subscriptions.js';

/**
 * Scopes per credential, over HTTP against a production gateway (introspection
 * on, so the `introspect` scope decides): every root field of Query and
 * Mutation, and the introspection fields, against a key of every scope; a
 * refused operation is 403 FORBIDDEN and no simulator sees a request.
 */

type Scope = 'read' | 'write' | 'introspect' | 'admin';

const ACME = LEEN_SEED[0]!;
const ORG = globalId(['Organization', 'LEEN', ACME.id]);
const CONN = globalId(['Connection', 'LEEN', ACME.id, ACME.connections[0]!.id]);
const SECRET = 'hs-secret-of-the-scoped-jwt-tenant-0123456789';
const ISSUER = 'https://auth.scoped.example';

/** One operation per root field, and the scope it needs. A root field missing here fails the coverage test. */
const ROOT_FIELDS: Record<string, { scope: Scope; operation: string }> = {
  'Query.node': { scope: 'read', operation: `{ node(id: "${ORG}") { id } }` },
  'Query.organization': { scope: 'read', operation: `{ organization(id: "${ORG}") { id } }` },
  'Query.organizations': { scope: 'read', operation: '{ organizations { id } }' },
  'Query.organizationPage': { scope: 'read', operation: '{ organizationPage(first: 1) { totalCount } }' },
  'Query.connection': { scope: 'read', operation: `{ connection(id: "${CONN}") { id } }` },
  'Query.connections': { scope: 'read', operation: '{ connections { totalCount } }' },
  'Query.providers': { scope: 'read', operation: '{ providers(vendor: LEEN) { id } }' },
  'Mutation.disconnectIntegration': {
    scope: 'write',
    operation: `mutation { disconnectIntegration(input: { connectionId: "${CONN}", dryRun: true }) { dryRun } }`,
  },
  'Mutation.deleteConnection': {
    scope: 'write',
    operation: `mutation { deleteConnection(input: { connectionId: "${CONN}", dryRun: true }) { dryRun } }`,
  },
  'Mutation.updateSharing': {
    scope: 'write',
    operation: `mutation { updateSharing(input: { connectionId: "${CONN}", teamKeys: [] }) { userErrors { code } } }`,
  },
  'Query.auditLog': { scope: 'admin', operation: '{ auditLog(first: 1) { endCursor } }' },
  'Query.webhookEndpoints': { scope: 'admin', operation: '{ webhookEndpoints { id } }' },
  'Query.webhookDeliveries': { scope: 'admin', operation: '{ webhookDeliveries(first: 1) { endCursor } }' },
  'Mutation.createWebhookEndpoint': {
    scope: 'admin',
    // A private address: refused before anything is stored, whoever asks.
    operation:
      'mutation { createWebhookEndpoint(input: { url: "https://10.0.0.1/hooks", eventTypes: [STATUS_CHANGED] }) { secret } }',
  },
  'Mutation.deleteWebhookEndpoint': {
    scope: 'admin',
    operation: 'mutation { deleteWebhookEndpoint(id: "ep_none") { deletedId } }',
  },
  'Mutation.redeliverWebhookEvent': {
    scope: 'admin',
    operation: 'mutation { redeliverWebhookEvent(eventId: "1-0", endpointId: "ep_none") { id } }',
  },
  'Query.__schema': { scope: 'introspect', operation: '{ __schema { queryType { name } } }' },
  'Query.__type': { scope: 'introspect', operation: '{ __type(name: "Query") { name } }' },
};

describe('scopes per credential', { timeout: 60_000 }, () => {
  let stack: TestStack;
  const keys: Record<string, { key: string; scopes: readonly Scope[] }> = {};
  const legacyKey = newApiKey('legacy');

  beforeAll(async () => {
    for (const scope of ['read', 'write', 'introspect', 'admin'] as const)
      keys[scope] = { key: newApiKey(scope), scopes: [scope] };
    stack = await startStack({
      config: { production: true, introspection: true },
      env: { SCOPED_JWT_SECRET: SECRET },
      extraTenants: (sandbox) => {
        const leen = {
          baseUrl: sandbox.get('LEEN').url,
          apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
          organizations: [{ id: ACME.id }],
        };
        return [
          {
            id: 'scoped',
            apiKeys: Object.entries(keys).map(([id, { key, scopes }]) => ({ id, sha256: sha256(key), scopes })),
            jwt: { issuer: ISSUER, audience: 'junction', secret: { env: 'SCOPED_JWT_SECRET' }, scopeClaim: 'scope' },
            vendors: { leen },
          },
          // A tenant configured before scopes existed: a bare digest, every scope.
          { id: 'legacy', apiKeySha256: [sha256(legacyKey)], vendors: { leen } },
        ];
      },
    });
  });
  afterAll(() => stack.close());

  const post = async (operation: string, apiKey: string) => {
    const before = stack.sandbox.totalRequests();
    const result = await stack.gql(operation, undefined, { apiKey });
    return { ...result, vendorCalls: stack.sandbox.totalRequests() - before };
  };

  it('covers every root field of the schema', () => {
    const schema = buildSchema(loadTypeDefs());
    const fields = [schema.getQueryType(), schema.getMutationType()].flatMap(
      (type: GraphQLObjectType | null | undefined) =>
        Object.keys(type?.getFields() ?? {}).map((name) => `${type!.name}.${name}`),
    );
    expect(
      Object.keys(ROOT_FIELDS)
        .filter((f) => !f.includes('__'))
        .sort(),
    ).toEqual(fields.sort());
  });

  describe.each(Object.entries(ROOT_FIELDS))('%s', (_field, { scope: needed, operation }) => {
    it.each(['read', 'write', 'introspect', 'admin'] as const)('with only %s', async (held) => {
      const result = await post(operation, keys[held]!.key);
      if (held === needed) {
        expect(result.status).toBe(200);
        expect(result.body.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('FORBIDDEN');
      } else {
        expect(result.status).toBe(403);
        expect(result.body.errors).toEqual([
          expect.objectContaining({ extensions: { code: 'FORBIDDEN', scope: needed } }),
        ]);
        expect(result.body.data).toBeUndefined();
        expect(result.vendorCalls).toBe(0);
      }
    });
  });

  // Subscriptions are served over SSE and WebSocket only (POST /graphql refuses them), so they are checked there.
  it.each(['read', 'write', 'introspect', 'admin'] as const)(
    'Subscription.connectionEvents with only %s: read is needed',
    async (held) => {
      const query = 'subscription { connectionEvents { id } }';
      const stream = await sseSubscribe(stack.gateway.url, { query }, { authorization: `Bearer ${keys[held]!.key}` });
      stream.close();
      const socket = await wsConnect(stack.gateway.url, { authorization: `Bearer ${keys[held]!.key}` });
      if (held === 'read') {
        expect(stream.status).toBe(200);
        expect((await socket.next()).type).toBe('connection_ack');
        socket.close();
      } else {
        expect(stream.status).toBe(403);
        expect(JSON.parse(stream.raw()).errors[0].extensions).toEqual({ code: 'FORBIDDEN', scope: 'read' });
        expect(await socket.closed).toEqual({ code: 4403, reason: 'Forbidden' });
      }
    },
  );

  it('refuses an operation that mixes scopes unless the key holds each of them', async () => {
    const mixed = `{ organizations { id } __schema { queryType { name } } }`;
    expect((await post(mixed, keys.read!.key)).status).toBe(403);
    expect((await post(mixed, keys.introspect!.key)).status).toBe(403);
    const fragment = `query { ...F } fragment F on Query { organizations { id } }`;
    const refused = await post(fragment, keys.introspect!.key);
    expect(refused.status).toBe(403);
    expect(refused.vendorCalls).toBe(0);
  });

  it('never serves a cached answer to a key without the scope it needed', async () => {
    const query = '{ organizations { id } }';
    expect((await post(query, keys.read!.key)).status).toBe(200);
    const again = await post(query, keys.write!.key);
    expect(again.status).toBe(403);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a key configured without scopes (apiKeySha256) keeps full access: query, mutation, introspection', async () => {
    for (const { operation } of Object.values(ROOT_FIELDS)) {
      const result = await post(operation, legacyKey);
      expect(result.status).toBe(200);
      expect(result.body.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('FORBIDDEN');
    }
  });

  describe('JWT scopes from the configured claim', () => {
    const token = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience('junction')
        .setSubject('user-42')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(SECRET));

    it('a token whose claim says "read" may query, not mutate', async () => {
      const jwt = await token({ scope: 'openid read profile' });
      expect((await post(ROOT_FIELDS['Query.organizations']!.operation, jwt)).status).toBe(200);
      const mutation = await post(ROOT_FIELDS['Mutation.deleteConnection']!.operation, jwt);
      expect(mutation.status).toBe(403);
      expect(mutation.vendorCalls).toBe(0);
    });

    it('a token with "read write" may mutate; one without the claim may do nothing', async () => {
      const writer = await token({ scope: 'read write' });
      expect((await post(ROOT_FIELDS['Mutation.deleteConnection']!.operation, writer)).status).toBe(200);
      const bare = await token({});
      expect((await post(ROOT_FIELDS['Query.organizations']!.operation, bare)).status).toBe(403);
      // The claim as an array is read too; unknown values are ignored.
      const listed = await token({ scope: ['write', 'superuser'] });
      expect((await post(ROOT_FIELDS['Query.organizations']!.operation, listed)).status).toBe(403);
      expect((await post(ROOT_FIELDS['Mutation.deleteConnection']!.operation, listed)).status).toBe(200);
    });
  });

  it('outside production, introspection is open to every key (the sandbox demo and its IDE); mutations still need write', async () => {
    const demo = await startStack({ sharedSandbox: stack.sandbox });
    try {
      const reader = demoRoleKeys(demo.tenant.apiKey).find((k) => k.role === 'reader')!.key;
      const introspection = await demo.gql(ROOT_FIELDS['Query.__schema']!.operation, undefined, { apiKey: reader });
      expect(introspection.status).toBe(200);
      const mutation = await demo.gql(ROOT_FIELDS['Mutation.deleteConnection']!.operation, undefined, {
        apiKey: reader,
      });
      expect(mutation.status).toBe(403);
    } finally {
      await demo.close();
    }
  });
});
