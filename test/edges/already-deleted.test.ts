import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/domain/models.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.js';
import { PM_USERS } from '../../src/sandbox/projectmanager/seed.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * A connection deleted at the vendor after Junction cached it: automation
 * branches on userErrors[].code, so every vendor answers the same userError as
 * for an ID that never existed (NOT_FOUND, field ["input"]), whether the
 * stale read came from the cache or not. One table over the five vendors.
 */

interface Target {
  readonly organization: string;
  readonly externalId: string;
  readonly provider: string;
}

const MUTATION = {
  deleteConnection: /* GraphQL */ `
    mutation ($id: ID!) {
      result: deleteConnection(input: { connectionId: $id }) {
        connection {
          id
        }
        userErrors {
          code
          field
          message
        }
      }
    }
  `,
  disconnectIntegration: /* GraphQL */ `
    mutation ($id: ID!, $confirm: String) {
      result: disconnectIntegration(input: { connectionId: $id, confirmProvider: $confirm }) {
        connection {
          id
        }
        userErrors {
          code
          field
          message
        }
      }
    }
  `,
} as const;

const json = { 'content-type': 'application/json' };

/** Per vendor: the mutation that removes a connection, and how to remove it at the vendor behind Junction's back. */
const VENDORS: readonly {
  vendor: Vendor;
  mutation: keyof typeof MUTATION;
  removeAtVendor: (url: string, t: Target) => Promise<Response>;
}[] = [
  {
    vendor: 'LEEN',
    mutation: 'deleteConnection',
    removeAtVendor: (url, t) =>
      fetch(`${url}/provisioning/organizations/${t.organization}/connections/${t.externalId}`, {
        method: 'DELETE',
        headers: { 'x-api-key': SANDBOX_CREDENTIALS.leen.apiKey },
      }),
  },
  {
    vendor: 'USERHUB',
    mutation: 'deleteConnection',
    removeAtVendor: (url, t) =>
      fetch(`${url}/admin/v1/organizations/${t.organization}:disconnect`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${SANDBOX_CREDENTIALS.userhub.apiKey}` },
        body: JSON.stringify({ connectionId: t.externalId }),
      }),
  },
  {
    vendor: 'OUTLIT',
    mutation: 'disconnectIntegration',
    removeAtVendor: (url, t) =>
      fetch(`${url}/api/integrations/disconnect`, {
        method: 'POST',
        headers: {
          ...json,
          authorization: `Bearer ${SANDBOX_CREDENTIALS.outlit[t.organization as keyof typeof SANDBOX_CREDENTIALS.outlit]}`,
        },
        body: JSON.stringify({ provider: t.provider }),
      }),
  },
  {
    vendor: 'SUPERVITY',
    mutation: 'disconnectIntegration',
    removeAtVendor: (url, t) =>
      fetch(`${url}/api/v1/integrations/${t.provider}/actions/all`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.supervity.token}`, 'x-active-org': t.organization },
      }),
  },
  {
    vendor: 'PROJECTMANAGER',
    mutation: 'disconnectIntegration',
    removeAtVendor: (url, t) =>
      fetch(`${url}/api/data/integrations/providers/${t.externalId}/user-connection`, {
        method: 'DELETE',
        headers: {
          authorization: `Bearer ${PM_USERS.find((u) => u.workspace === t.organization)!.token}`,
          'x-integration-name': 'junction',
        },
      }),
  },
];

const ORGANIZATIONS = /* GraphQL */ `
  {
    organizations {
      vendor
      externalId
      connections {
        id
        externalId
        provider {
          slug
        }
      }
    }
  }
`;
type Organizations = {
  organizations: {
    vendor: Vendor;
    externalId: string;
    connections: { id: string; externalId: string; provider: { slug: string } }[];
  }[];
};

describe('a connection deleted at the vendor after Junction cached it', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.reset());

  it.each(VENDORS)(
    '$vendor: $mutation answers the userError NOT_FOUND, as for an ID that never existed',
    async ({ vendor, mutation, removeAtVendor }) => {
      const listed = await stack.gql<Organizations>(ORGANIZATIONS);
      const organization = listed.body.data!.organizations.find(
        (o) => o.vendor === vendor && o.connections.length > 0,
      )!;
      const connection = organization.connections[0]!;
      // Read once more by ID: every read the mutation makes first is now cached.
      const read = await stack.gql('query ($id: ID!) { connection(id: $id) { id } }', { id: connection.id });
      expect(read.body.errors).toBeUndefined();

      const removed = await removeAtVendor(stack.sandbox.get(vendor).url, {
        organization: organization.externalId,
        externalId: connection.externalId,
        provider: connection.provider.slug,
      });
      expect(removed.status).toBe(200);

      const notFound = {
        result: {
          connection: null,
          userErrors: [{ code: 'NOT_FOUND', field: ['input'], message: `Connection "${connection.id}" was not found` }],
        },
      };
      // Supervity asks for the slug to be repeated when every action goes (the others ignore it).
      const variables = { id: connection.id, confirm: connection.provider.slug };
      const stale = await stack.gql(MUTATION[mutation], variables);
      expect(stale.body.errors).toBeUndefined();
      expect(stale.body.data).toEqual(notFound);
      // Again, now that the failed write dropped the cached reads: the vendor is read afresh, same answer.
      const fresh = await stack.gql(MUTATION[mutation], variables);
      expect(fresh.body.errors).toBeUndefined();
      expect(fresh.body.data).toEqual(notFound);
    },
  );
});
