import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { globalId, newApiKey, sha256, startStack, type TestStack } from '../helpers/stack.js';

/** Optional JWT authentication: a shared-secret tenant and a JWKS tenant, over HTTP. */

const [ACME, GLOBEX] = LEEN_SEED as [(typeof LEEN_SEED)[number], (typeof LEEN_SEED)[number]];
const SECRET = 'hs-secret-of-the-hmac-tenant-0123456789';
const ORGS = '{ organizations { id } }';

describe('JWT authentication', () => {
  let stack: TestStack;
  let jwks: Server;
  let jwksRequests = 0;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    stack = await startStack({
      env: { HMAC_TENANT_SECRET: SECRET },
      extraTenants: (sandbox) => {
        const leen = (org: string) => ({
          baseUrl: sandbox.get('LEEN').url,
          apiKey: SANDBOX_CREDENTIALS.leen.apiKey,
          organizations: [{ id: org }],
        });
        return [
          {
            id: 'hmac',
            apiKeySha256: [sha256(newApiKey())],
            jwt: { issuer: 'https://auth.hmac.example', audience: 'junction', secret: { env: 'HMAC_TENANT_SECRET' } },
            vendors: { leen: leen(ACME.id) },
          },
          {
            id: 'jwks',
            apiKeySha256: [sha256(newApiKey())],
            jwt: { issuer: 'https://auth.jwks.example', audience: 'junction', jwksUrl },
            vendors: { leen: leen(GLOBEX.id) },
          },
        ];
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await new Promise((resolve) => jwks.close(resolve));
  });
  beforeEach(() => stack.reset());

  const hmacToken = (claims: { iss?: string; aud?: string; exp?: string | number } = {}, secret = SECRET) =>
    new SignJWT({ sub: 'automation-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(claims.iss ?? 'https://auth.hmac.example')
      .setAudience(claims.aud ?? 'junction')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(new TextEncoder().encode(secret));
  const jwksToken = (key = signingKey, kid = 'k1') =>
    new SignJWT({ sub: 'frontend-1' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer('https://auth.jwks.example')
      .setAudience('junction')
      .setExpirationTime('5m')
      .sign(key);
  const orgsWith = async (token: string) => {
    const { status, body } = await stack.gql<{ organizations: { id: string }[] }>(ORGS, undefined, { apiKey: token });
    return { status, ids: body.data?.organizations.map((o) => o.id), code: body.errors?.[0]?.extensions?.code };
  };

  it("a token signed with the tenant's shared secret authenticates that tenant", async () => {
    expect(await orgsWith(await hmacToken())).toEqual({
      status: 200,
      ids: [globalId(['Organization', 'LEEN', ACME.id])],
      code: undefined,
    });
  });

  it("a token signed with a key from the tenant's JWKS authenticates that tenant", async () => {
    expect(await orgsWith(await jwksToken())).toEqual({
      status: 200,
      ids: [globalId(['Organization', 'LEEN', GLOBEX.id])],
      code: undefined,
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it.each([
    ['expired', () => hmacToken({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['for another audience', () => hmacToken({ aud: 'someone-else' })],
    ['signed with another secret', () => hmacToken({}, 'another-secret-another-secret-0123456789')],
    ['from an unknown issuer', () => hmacToken({ iss: 'https://evil.example' })],
    ['claiming the JWKS issuer but signed with a stranger key', () => jwksToken(strangerKey)],
    ['with a key id the JWKS does not have', () => jwksToken(strangerKey, 'k2')],
    [
      'unsigned (alg none)',
      async () => {
        const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${enc({ alg: 'none' })}.${enc({ iss: 'https://auth.hmac.example', aud: 'junction', exp: 9e9 })}.`;
      },
    ],
    ['not a JWT at all', async () => 'aaa.bbb.ccc'],
  ])('a token %s is 401 UNAUTHENTICATED with no vendor call', async (_label, token) => {
    expect(await orgsWith(await token())).toEqual({ status: 401, ids: undefined, code: 'UNAUTHENTICATED' });
    expect(stack.sandbox.totalRequests()).toBe(0);
  });

  it('API keys still work next to JWTs', async () => {
    expect((await orgsWith(stack.tenant.apiKey)).status).toBe(200);
  });
});

describe('JWT configuration', () => {
  const tenant = (jwt: Record<string, unknown>, id = 't') => ({
    id,
    apiKeySha256: [sha256('k')],
    jwt,
    vendors: {},
  });
  it.each([
    ['neither secret nor jwksUrl', { issuer: 'i', audience: 'a' }],
    ['both', { issuer: 'i', audience: 'a', secret: 'x'.repeat(32), jwksUrl: 'https://i/jwks' }],
    ['a short secret', { issuer: 'i', audience: 'a', secret: 'short' }],
  ])('refuses %s', (_label, jwt) => {
    expect(() => loadConfig({}, { tenants: [tenant(jwt)] })).toThrow(/tenants\.0\.jwt/);
  });
  it('refuses one issuer for two tenants', () => {
    const jwt = { issuer: 'i', audience: 'a', jwksUrl: 'https://i/jwks' };
    expect(() => loadConfig({}, { tenants: [tenant(jwt, 'a'), tenant(jwt, 'b')] })).toThrow(/duplicate issuer/);
  });
});
