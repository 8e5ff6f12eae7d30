import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import type { ConnectTransport, ReadSpec, VendorEndpoint } from '../../src/loaders/vendor-transport.js';
import { configuredOrganizations } from '../../src/vendors/adapter-kit.js';
import { leenConfigSchema } from '../../src/vendors/leen/config.js';
import { createVendorAdapters } from '../../src/vendors/registry.js';
import { supervityConfigSchema } from '../../src/vendors/supervity/config.js';

describe("a tenant's configured organizations", () => {
  it('answers get, has and position the same whatever was asked before (repeats, unknown ids, equal copies)', () => {
    const configured = [{ id: 'org-a', displayName: 'A' }, { id: 'org-b' }, { id: 'org-c', displayName: 'C' }];
    const organizations = configuredOrganizations(configured);
    const expected = (id: string) => {
      const position = configured.findIndex((o) => o.id === id);
      return position < 0
        ? { has: false, position: undefined, displayName: undefined }
        : { has: true, position, displayName: configured[position]!.displayName ?? null };
    };
    // Each id asked twice in a row, after an unknown one and after another, and as a copy built at run time.
    const asked = [
      'org-a',
      'org-a',
      'org-x',
      'org-a',
      'org-b',
      'org-x',
      'org-x',
      'org-c',
      'org-b',
      ['org', 'c'].join('-'),
      '',
    ];
    for (const id of asked) {
      expect({
        has: organizations.has(id),
        position: organizations.position(id),
        displayName: organizations.get(id)?.displayName,
      }).toEqual(expected(id));
    }
    expect(configuredOrganizations(configured)).toBe(organizations);
  });
});

/**
 * An adapter is built per request over what its tenant's configuration decides, built once: the endpoints (and
 * their credentials) are shared by the tenant's requests, the transports (a request's loaders, trace and
 * secrets) never are, and a user's forwarded token stays in the request that forwarded it.
 */
describe('adapters built per request', () => {
  const ORGANIZATION = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
  const leenConfig = (apiKey: string) =>
    leenConfigSchema({}).parse({ apiKey, baseUrl: 'https://leen.test', organizations: [{ id: ORGANIZATION }] });
  const supervityConfig = supervityConfigSchema({}).parse({
    baseUrl: 'https://supervity.test',
    token: 'service-token',
    organizations: [{ id: 'org_acme' }],
  });

  /** A request's ConnectTransport: records the endpoints it connected and the reads each of its transports made. */
  function request(body: unknown) {
    const endpoints: VendorEndpoint[] = [];
    const reads: string[] = [];
    const connect: ConnectTransport = (endpoint) => {
      endpoints.push(endpoint);
      return {
        read: <T>(spec: ReadSpec<T>) => {
          reads.push(spec.path);
          return Promise.resolve(body as T);
        },
        write: () => Promise.resolve(undefined),
        invalidate: () => Promise.resolve(),
      };
    };
    return { connect, endpoints, reads };
  }
  const header = (endpoint: VendorEndpoint | undefined, name: string) => {
    const value = endpoint?.headers[name];
    return value instanceof Secret ? value.reveal() : value;
  };

  it("reads through the request's own transports, on endpoints its tenant's configuration built once", async () => {
    const acme = { leen: leenConfig('acme-key') };
    const [first, second] = [request([]), request([])];
    const adapter = createVendorAdapters(acme, first.connect).get('LEEN')!;
    await adapter.listConnections(ORGANIZATION);
    await adapter.listConnections(ORGANIZATION);
    await createVendorAdapters(acme, second.connect).get('LEEN')!.listConnections(ORGANIZATION);

    // One transport per request (its reads deduplicated there), each request's reads through its own.
    expect(first.endpoints).toHaveLength(1);
    expect(first.reads).toHaveLength(2);
    expect(second.endpoints).toHaveLength(1);
    expect(second.reads).toHaveLength(1);
    expect(second.endpoints[0]).toBe(first.endpoints[0]);

    // Another tenant, configured alike but with its own key: its own endpoint, never the first tenant's.
    const other = request([]);
    await createVendorAdapters({ leen: leenConfig('other-key') }, other.connect)
      .get('LEEN')!
      .listConnections(ORGANIZATION);
    expect(other.endpoints[0]).not.toBe(first.endpoints[0]);
    expect(header(other.endpoints[0], 'x-api-key')).toBe('other-key');
    expect(header(first.endpoints[0], 'x-api-key')).toBe('acme-key');
  });

  it("keeps a forwarded user token in its own request: the next request reads with the tenant's token", async () => {
    const configs = { supervity: supervityConfig };
    const me = { integrations: [], userActions: [] };
    const [before, user, after] = [request(me), request(me), request(me)];
    await createVendorAdapters(configs, before.connect).get('SUPERVITY')!.listConnections('org_acme');
    await createVendorAdapters(configs, user.connect, { SUPERVITY: new Secret('user-token') })
      .get('SUPERVITY')!
      .listConnections('org_acme');
    await createVendorAdapters(configs, after.connect).get('SUPERVITY')!.listConnections('org_acme');

    expect(header(user.endpoints[0], 'authorization')).toBe('Bearer user-token');
    expect(user.endpoints[0]!.scope).toMatch(/^supervity:org_acme:user:/);
    expect(header(after.endpoints[0], 'authorization')).toBe('Bearer service-token');
    expect(after.endpoints[0]!.scope).toBe('supervity:org_acme:service');
    expect(after.endpoints[0]).toBe(before.endpoints[0]);
  });
});
