import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../../src/config/config.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';
import { newApiKey, startStack, type TestStack } from '../helpers/stack.js';
import { startReceiver, type Receiver } from './fixtures.js';

/**
 * Endpoints from a tenant's config: validated with the config (secret form, ids), checked
 * against the SSRF rules at start (a refused one receives nothing), listed with source
 * CONFIG, not deletable through the API, and delivered to like any other (here: a
 * mutation's event, whose `changes` the endpoint's types are matched against).
 */

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const API_KEY = newApiKey('acme');

describe('webhook endpoints of the config', () => {
  let sandbox: RunningSandbox;
  let receiver: Receiver;
  let stack: TestStack;

  beforeAll(async () => {
    [sandbox, receiver] = await Promise.all([startSandbox(), startReceiver()]);
    stack = await startStack({
      sharedSandbox: sandbox,
      config: {
        tenants: [
          {
            ...demoTenantConfig(sandbox, 'acme', API_KEY),
            webhookEndpoints: [
              { id: 'oncall', url: receiver.url, eventTypes: ['connection.removed'], secret: SECRET },
              { id: 'inside', url: 'http://10.1.2.3/hooks', eventTypes: ['connection.removed'], secret: SECRET },
            ],
          },
        ],
        webhooks: { enabled: true, allowHttp: true, allowedTargetCidrs: ['127.0.0.1/32'] },
        sync: { enabled: true },
      },
      start: { webhookDispatch: 'manual', backgroundSync: 'manual' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([sandbox?.close(), receiver?.close()]);
  });

  it('refuses a malformed secret or a repeated id when the config loads, naming the path, never the value', () => {
    const tenant = (endpoints: unknown[]) => ({
      ...demoTenantConfig(sandbox, 't', newApiKey()),
      webhookEndpoints: endpoints,
    });
    const endpoint = { id: 'a', url: 'https://hooks.example.com/', eventTypes: ['connection.removed'] };
    const issues = (endpoints: unknown[]) => {
      try {
        loadConfig({}, { tenants: [tenant(endpoints)] });
        return [];
      } catch (error) {
        return (error as ConfigError).issues;
      }
    };
    const weak = issues([{ ...endpoint, secret: 'whsec_tooshort' }]);
    expect(weak.join('\n')).toContain('tenants.0.webhookEndpoints.0.secret');
    expect(weak.join('\n')).not.toContain('tooshort');
    expect(
      issues([
        { ...endpoint, secret: SECRET },
        { ...endpoint, secret: SECRET },
      ]).join('\n'),
    ).toContain('twice');
    expect(issues([{ ...endpoint, eventTypes: ['connection.exploded'], secret: SECRET }])).not.toEqual([]);
  });

  it('lists the endpoints that passed the SSRF rules, without their secret, and refuses to delete them', async () => {
    const listed = await stack.gql<{ webhookEndpoints: { id: string; source: string; eventTypes: string[] }[] }>(
      '{ webhookEndpoints { id source eventTypes url } }',
      undefined,
      { apiKey: API_KEY },
    );
    expect(listed.body.data!.webhookEndpoints).toEqual([
      expect.objectContaining({ id: 'oncall', source: 'CONFIG', eventTypes: ['REMOVED'] }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(SECRET.slice(6));
    const deleted = await stack.gql('mutation { deleteWebhookEndpoint(id: "oncall") { deletedId } }', undefined, {
      apiKey: API_KEY,
    });
    expect(deleted.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CONFIG_ENDPOINT' });
  });

  it('delivers a mutation’s event to it, signed with the configured secret', async () => {
    // The index's first listing of each organization is its baseline; the mutation's change comes after it.
    await stack.gateway.syncNow();
    const connections = await stack.gql<{ connections: { nodes: { id: string; vendor: string }[] } }>(
      '{ connections { nodes { id vendor } } }',
      undefined,
      { apiKey: API_KEY },
    );
    const leen = connections.body.data!.connections.nodes.find((c) => c.vendor === 'LEEN')!;
    const deleted = await stack.gql<{ deleteConnection: { userErrors: unknown[] } }>(
      'mutation D($id: ID!) { deleteConnection(input: { connectionId: $id }) { userErrors { code } } }',
      { id: leen.id },
      { apiKey: API_KEY },
    );
    expect(deleted.body.data!.deleteConnection.userErrors).toEqual([]);
    await stack.gateway.dispatchWebhooks();
    expect(receiver.received).toHaveLength(1);
    const payload = new Webhook(SECRET).verify(receiver.received[0]!.body, receiver.received[0]!.headers) as {
      type: string;
      data: { source: string; operation: string; actor: string; connectionId: string };
    };
    expect(payload.type).toBe('connection.removed');
    expect(payload.data).toMatchObject({ source: 'MUTATION', operation: 'deleteConnection', connectionId: leen.id });
    expect(payload.data.actor).toMatch(/^key:/);
  });
});
