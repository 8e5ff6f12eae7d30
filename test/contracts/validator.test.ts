import { existsSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { assertNoContractViolations, takeContractViolations } from '../helpers/contract-guard.js';
import {
  contractsDir,
  formatViolation,
  loadContract,
  type ContractViolation,
  type ExchangeUnderTest,
} from '../helpers/contracts.js';
import { globalId, startStack, type TestStack } from '../helpers/stack.js';

/**
 * The contract validator itself: it must catch each kind of break, with a
 * message a developer can act on, and the guard must catch breaks in live
 * sandbox traffic. The recorded requests below are what a simulator records.
 */

const ACME = LEEN_SEED[0]!;
const LEEN_CONNECTION = {
  id: ACME.connections[0]!.id,
  vendor: 'TENABLE',
  is_active: true,
  refresh_interval_secs: 86400,
  timeout_secs: 3600,
  organization_id: ACME.id,
  oauth2_authorize_url: null,
  identifier: 'acme-tenable-prod',
  state: 'ACTIVE',
  created_at: '2024-05-02T10:15:00Z',
  updated_at: '2024-06-01T08:00:00Z',
  health: { name: 'HEALTHY', status: 'HEALTHY', description: 'ok', resolution_owner: 'LEEN', details: null },
};

const recorded = (r: Partial<ExchangeUnderTest> & Pick<ExchangeUnderTest, 'method' | 'path'>): ExchangeUnderTest => ({
  route: null,
  query: {},
  headers: {},
  body: undefined,
  status: 200,
  responseBody: undefined,
  servedBy: 'route',
  ...r,
});
const check = (vendor: Vendor, r: Parameters<typeof recorded>[0]) => loadContract(vendor).validate(recorded(r));
const messages = (violations: readonly ContractViolation[]) => violations.map(formatViolation);

const leenList = `/provisioning/organizations/${ACME.id}/connections`;
const leenKey = { 'x-api-key': 'k' };
const outlitAuth = { authorization: 'Bearer ok_test', 'content-type': 'application/json' };

describe('the contract validator', () => {
  it('finds all five contracts beside the repository and fails loudly when they are missing', () => {
    expect(contractsDir()).toMatch(/shared[/\\]contracts$/);
    const saved = process.env.JUNCTION_CONTRACTS_DIR;
    process.env.JUNCTION_CONTRACTS_DIR = '/nonexistent/contracts';
    try {
      expect(() => contractsDir()).toThrow(/Vendor contracts not found at \/nonexistent\/contracts/);
    } finally {
      if (saved === undefined) delete process.env.JUNCTION_CONTRACTS_DIR;
      else process.env.JUNCTION_CONTRACTS_DIR = saved;
    }
    const counts = (['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER'] as const).map(
      (v) => loadContract(v).operations.length,
    );
    expect(counts).toEqual([3, 3, 2, 3, 2]);
  });

  it('accepts a conforming request and response', () => {
    expect(check('LEEN', { method: 'GET', path: leenList, headers: leenKey, responseBody: [LEEN_CONNECTION] })).toEqual(
      [],
    );
    expect(
      check('OUTLIT', {
        method: 'POST',
        path: '/api/integrations/disconnect',
        headers: outlitAuth,
        body: { provider: 'stripe' },
        responseBody: { success: true },
      }),
    ).toEqual([]);
  });

  it('catches an Outlit disconnect with a property the contract forbids (additionalProperties: false)', () => {
    const violations = check('OUTLIT', {
      method: 'POST',
      path: '/api/integrations/disconnect',
      headers: outlitAuth,
      body: { provider: 'stripe', force: true },
      responseBody: { success: true },
    });
    expect(messages(violations)).toEqual([
      '[OUTLIT disconnectIntegration] POST /api/integrations/disconnect — request-body: body has property "force", which the contract does not allow',
    ]);
  });

  it('catches an Outlit provider outside the contract enum, and a missing required body', () => {
    const badProvider = check('OUTLIT', {
      method: 'POST',
      path: '/api/integrations/disconnect',
      headers: outlitAuth,
      body: { provider: 'salesforce' },
      responseBody: { success: true },
    });
    expect(messages(badProvider)[0]).toContain('body/provider must be equal to one of the allowed values');
    const noBody = check('OUTLIT', {
      method: 'POST',
      path: '/api/integrations/disconnect',
      headers: outlitAuth,
      responseBody: { success: true },
    });
    expect(messages(noBody)).toEqual([
      '[OUTLIT disconnectIntegration] POST /api/integrations/disconnect — request-body: the contract requires a body; none was sent',
    ]);
  });

  it('catches a Leen call with a non-UUID path parameter', () => {
    const violations = check('LEEN', {
      method: 'DELETE',
      path: `/provisioning/organizations/${ACME.id}/connections/not-a-uuid`,
      headers: leenKey,
      status: 422,
      responseBody: {
        detail: [{ loc: ['path', 'connection_id'], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }],
      },
    });
    expect(messages(violations)).toEqual([
      `[LEEN delete_connection_by_id] DELETE /provisioning/organizations/${ACME.id}/connections/not-a-uuid — parameter: path parameter connection_id="not-a-uuid": must match format "uuid"`,
    ]);
  });

  it('catches a Supervity slug outside its pattern, a ProjectManager non-UUID provider and an unknown query parameter', () => {
    expect(
      messages(
        check('SUPERVITY', {
          method: 'DELETE',
          path: '/api/v1/integrations/Google%20Workspace/actions/all',
          headers: { authorization: 'Bearer jwt' },
          responseBody: { success: true, message: 'ok' },
        }),
      ),
    ).toEqual([
      '[SUPERVITY disconnectIntegrationAction] DELETE /api/v1/integrations/Google%20Workspace/actions/all — parameter: path parameter integrationSlug="Google Workspace": must match pattern "^[a-z0-9_-]+$"',
    ]);
    expect(
      messages(
        check('PROJECTMANAGER', {
          method: 'DELETE',
          path: '/api/data/integrations/providers/slack/user-connection',
          headers: { authorization: 'Bearer t' },
          responseBody: { success: true, hasError: false, statusCode: 'OK', error: null },
        }),
      ),
    ).toEqual([
      '[PROJECTMANAGER disconnectUserIntegrationProviderConnection] DELETE /api/data/integrations/providers/slack/user-connection — parameter: path parameter providerId="slack": must match format "uuid"',
    ]);
    expect(
      messages(
        check('OUTLIT', {
          method: 'GET',
          path: '/api/integrations',
          query: { connectedOnly: 'yes', page: '2' },
          headers: outlitAuth,
          responseBody: { items: [] },
        }),
      ),
    ).toEqual([
      '[OUTLIT listIntegrations] GET /api/integrations — parameter: query parameter connectedOnly="yes": must be boolean',
      '[OUTLIT listIntegrations] GET /api/integrations — parameter: query parameter page is not defined by the contract',
    ]);
  });

  it('catches missing credentials per security scheme, without looking at their values', () => {
    expect(messages(check('LEEN', { method: 'GET', path: leenList, responseBody: [] }))).toEqual([
      `[LEEN list_connections] GET ${leenList} — security: no credentials for API-Key (X-API-KEY in header)`,
    ]);
    expect(
      messages(
        check('USERHUB', {
          method: 'GET',
          path: '/admin/v1/organizations/org_1',
          headers: { authorization: 'Basic abc' },
          status: 401,
          responseBody: { code: 'UNAUTHENTICATED', message: 'no' },
        }),
      ),
    ).toEqual([
      '[USERHUB getOrganization] GET /admin/v1/organizations/org_1 — security: no credentials for adminApiKey (Authorization: bearer …)',
    ]);
  });

  it('catches an operation the contract does not have, and a method the path does not offer', () => {
    expect(messages(check('LEEN', { method: 'GET', path: '/provisioning/organizations', headers: leenKey }))).toEqual([
      '[LEEN] GET /provisioning/organizations — operation: no operation in leen.yaml matches this path',
    ]);
    expect(messages(check('LEEN', { method: 'PATCH', path: leenList, headers: leenKey }))).toEqual([
      `[LEEN] PATCH ${leenList} — operation: the contract defines GET on this path, not PATCH`,
    ]);
  });

  it('flags a contract operation the sandbox does not serve, and a sandbox route under the wrong template', () => {
    const unmatched = check('LEEN', {
      method: 'GET',
      path: leenList,
      headers: leenKey,
      status: 404,
      servedBy: 'unmatched',
    });
    expect(messages(unmatched)).toEqual([
      `[LEEN list_connections] GET ${leenList} — operation: the sandbox has no route for this contract operation (GET /provisioning/organizations/{organization_id}/connections)`,
    ]);
    const misrouted = check('LEEN', {
      method: 'GET',
      path: leenList,
      route: '/provisioning/organizations/{org}/connections',
      headers: leenKey,
      responseBody: [],
    });
    expect(misrouted.map((v) => v.rule)).toEqual(['operation']);
  });

  it('every vendor the sandbox simulates has a contract and a contract test file', async () => {
    const sandbox = await startSandbox();
    try {
      const vendors = [...sandbox.simulators.keys()];
      expect(vendors).toContain('LEEN');
      for (const vendor of vendors) {
        expect(loadContract(vendor).operations.length).toBeGreaterThan(0);
        const file = `${vendor.toLowerCase()}.contract.test.ts`;
        expect(existsSync(new URL(file, import.meta.url)), `test/contracts/${file}`).toBe(true);
      }
    } finally {
      await sandbox.close();
    }
  });

  it('tells the UserHub custom method `:disconnect` apart from the organization read', () => {
    const op = loadContract('USERHUB').findOperation('POST', '/admin/v1/organizations/org_28seyVGVL1got6:disconnect');
    expect(op?.operationId).toBe('disconnectOrganization');
    expect(
      loadContract('USERHUB').findOperation('GET', '/admin/v1/organizations/org_28seyVGVL1got6')?.operationId,
    ).toBe('getOrganization');
  });

  it('catches a response body that breaks the schema of its status, and an undocumented status', () => {
    const broken = check('LEEN', {
      method: 'GET',
      path: leenList,
      headers: leenKey,
      responseBody: [{ ...LEEN_CONNECTION, state: 'ARCHIVED', id: 'c-1' }],
    });
    expect(messages(broken)).toEqual([
      `[LEEN list_connections] GET ${leenList} — response: status 200 body does not match the 200 response schema: body/0/id must match format "uuid"; body/0/state must be equal to one of the allowed values (["PENDING","ACTIVE","PAUSED","DELETED"])`,
    ]);
    const wrapped = check('LEEN', { method: 'GET', path: leenList, headers: leenKey, responseBody: { items: [] } });
    expect(messages(wrapped)[0]).toContain('body must be array');
    const undocumented = check('LEEN', {
      method: 'GET',
      path: leenList,
      headers: leenKey,
      status: 404,
      responseBody: {},
    });
    expect(messages(undocumented)).toEqual([
      `[LEEN list_connections] GET ${leenList} — response: status 404 is not documented (documented: 200, 422)`,
    ]);
    // UserHub documents its errors as `default`: a 404 must carry a Status body.
    const userhub = check('USERHUB', {
      method: 'GET',
      path: '/admin/v1/organizations/org_1',
      headers: { authorization: 'Bearer k' },
      status: 404,
      responseBody: { code: 404 },
    });
    expect(messages(userhub)[0]).toContain(
      'status 404 body does not match the default response schema: body/code must be string',
    );
  });

  it('validates the request of a fault-served response, but not the deliberately off-contract response', () => {
    const faulted = (servedBy: ExchangeUnderTest['servedBy']) =>
      check('LEEN', { method: 'GET', path: leenList, status: 503, responseBody: 'boom', servedBy });
    expect(faulted('fault').map((v) => v.rule)).toEqual(['security']);
    expect(faulted('route').map((v) => v.rule)).toEqual(['security', 'response']);
  });

  it("accepts an auth rejection where the contract is silent on it (Leen's 401), and validates it where documented", () => {
    const leen401 = check('LEEN', {
      method: 'GET',
      path: leenList,
      headers: leenKey,
      status: 401,
      responseBody: { detail: 'Invalid or missing API key' },
      servedBy: 'auth',
    });
    expect(leen401).toEqual([]);
    const outlit401 = check('OUTLIT', {
      method: 'GET',
      path: '/api/integrations',
      headers: outlitAuth,
      status: 401,
      responseBody: { message: 'Invalid credentials' },
      servedBy: 'auth',
    });
    expect(messages(outlit401)[0]).toContain(
      "status 401 body does not match the 401 response schema: body must have required property 'error'",
    );
  });
});

describe('the contract guard on live sandbox traffic', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // One Leen connection id in the sandbox is not a UUID: its responses break the contract.
    const seed = LEEN_SEED.map((o, i) =>
      i === 1 ? { ...o, connections: o.connections.map((c, j) => (j === 0 ? { ...c, id: 'legacy-7' } : c)) } : o,
    );
    stack = await startStack({ sandbox: { leen: { seed } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  const leen = () => stack.sandbox.get('LEEN');

  it('catches a request a data source sends off-contract (non-UUID id, no API key) as it is served', async () => {
    const res = await fetch(`${leen().url}/provisioning/organizations/${ACME.id}/connections/42`, {
      headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
    });
    expect(res.status).toBe(422);
    await fetch(`${leen().url}/provisioning/organizations/${ACME.id}/connections`);
    expect(messages(takeContractViolations())).toEqual([
      `[LEEN get_connection_by_id] GET /provisioning/organizations/${ACME.id}/connections/42 — parameter: path parameter connection_id="42": must match format "uuid"`,
      `[LEEN list_connections] GET /provisioning/organizations/${ACME.id}/connections — security: no credentials for API-Key (X-API-KEY in header)`,
    ]);
  });

  it('catches a sandbox response that breaks the response schema, even after the sandbox is reset', async () => {
    const globex = LEEN_SEED[1]!;
    await stack.gql(`query ($id: ID!) { organization(id: $id) { connections { id } } }`, {
      id: globalId(['Organization', 'LEEN', globex.id]),
    });
    await stack.reset();
    const violations = takeContractViolations();
    expect(violations).toHaveLength(1);
    expect(formatViolation(violations[0]!)).toBe(
      `[LEEN list_connections] GET /provisioning/organizations/${globex.id}/connections — response: status 200 body does not match the 200 response schema: body/0/id must match format "uuid"`,
    );
  });

  it('fails the test that caused a violation with one readable error, and then starts clean', async () => {
    await fetch(`${leen().url}/provisioning/organizations/not-an-org/connections`, {
      headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
    });
    expect(() => assertNoContractViolations()).toThrowError(
      new Error(
        '1 request(s) or response(s) broke the vendor contracts in ../shared/contracts:\n' +
          '  - [LEEN list_connections] GET /provisioning/organizations/not-an-org/connections — parameter: path parameter organization_id="not-an-org": must match format "uuid"',
      ),
    );
    expect(() => assertNoContractViolations()).not.toThrow();
  });

  it('checks each request once when stacks share a sandbox, and keeps checking until the last one closes', async () => {
    const second = await startStack({ sharedSandbox: stack.sandbox });
    const offContract = () =>
      fetch(`${leen().url}/provisioning/organizations/${ACME.id}/connections/42`, {
        headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
      });
    await offContract();
    expect(takeContractViolations()).toHaveLength(1);
    await second.close();
    await offContract();
    expect(takeContractViolations()).toHaveLength(1);
  });

  it('passes conforming gateway traffic, including the sandbox 422 for an unknown connection', async () => {
    const { body } = await stack.gql(`query ($id: ID!) { connection(id: $id) { id } }`, {
      id: globalId(['Connection', 'LEEN', ACME.id, '00000000-0000-4000-8000-000000000000']),
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      leen()
        .requests()
        .map((r) => r.status),
    ).toEqual([422]);
    expect(takeContractViolations()).toEqual([]);
  });
});
