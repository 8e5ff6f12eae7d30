import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionEventInput, ConnectionIndexStore } from '../../src/domain/connection-index.js';
import { connectionGlobalId } from '../../src/domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS } from '../../src/domain/models.js';

/** A webhook receiver on loopback, as a customer would run one, and events committed to an index store. */

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** How the next requests are answered (default: 204). */
  respond(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(204).end();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      received.push({ path: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    respond: (next) => void (handler = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function connection(key: string, changes: Partial<ConnectionModel> = {}): ConnectionModel {
  return {
    id: connectionGlobalId('LEEN', changes.organizationId ?? 'org-1', key),
    vendor: 'LEEN',
    organizationId: 'org-1',
    key,
    externalId: key,
    provider: {
      vendor: 'LEEN',
      slug: 'crowdstrike',
      displayName: 'CrowdStrike',
      description: null,
      category: null,
      scopeOrganizationId: 'internal-scope-org',
    },
    status: 'ACTIVE',
    vendorStatus: 'ACTIVE',
    health: null,
    accountIdentifier: `${key}@example.com`,
    sharedTeamKeys: null,
    actions: NO_ACTIONS,
    reauthorizeUrl: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...changes,
  };
}

/** Commits a status change of one connection to the tenant's index as a sync would; returns the event's id. */
export async function commitStatusChange(
  index: ConnectionIndexStore,
  tenantId: string,
  key: string,
  now: () => number,
): Promise<string> {
  const unit = { tenantId, vendor: 'LEEN' as const, organizationId: 'org-1' };
  const [current] = await index.read(tenantId, [unit]);
  const before = current?.connections.find((c) => c.key === key) ?? connection(key);
  const after = connection(key, { status: before.status === 'ACTIVE' ? 'ERROR' : 'ACTIVE' });
  const event: ConnectionEventInput = {
    type: 'STATUS_CHANGED',
    changes: ['STATUS_CHANGED'],
    time: new Date(now()).toISOString(),
    tenantId,
    vendor: 'LEEN',
    organizationId: 'org-1',
    connectionKey: key,
    before,
    after,
    source: { kind: 'SYNC' },
  };
  const result = await index.commit(unit, {
    expectedVersion: current?.version ?? null,
    syncedAt: new Date(now()).toISOString(),
    connections: [after],
    events: [event],
    lease: null,
  });
  if (result.status !== 'committed') throw new Error('commit conflict');
  return result.events[0]!.id;
}
