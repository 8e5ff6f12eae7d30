import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionGlobalId } from '../../src/domain/global-id.js';
import { type ConnectionModel, NO_ACTIONS } from '../../src/domain/models.js';
import { LEEN_SEED } from '../../src/sandbox/leen/seed.js';
import { eventually } from '../cache/dashboard.js';
import { ROOT } from '../helpers/processes.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * README's "Subscriptions" examples, pasted: the SSE `curl` (its shell block)
 * and the graphql-ws client (its JavaScript block, as a file run by `node` from
 * the repository), against a gateway, with the key and address README tells the
 * reader to use swapped for this gateway's. One event committed to the index
 * reaches both.
 */

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = README.indexOf('## Subscriptions: change events, live');
const section = README.slice(start, README.indexOf('\n## ', start + 1));
const block = (language: string) => new RegExp('```' + language + '\\n([^]*?)```').exec(section)![1]!;

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  waitFor(text: string): Promise<void>;
}

function run(command: string, args: string[], env: Record<string, string>): Run {
  // Its own process group: the shell's curl goes with it.
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return {
    child,
    output: () => out,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!out.includes(text)) return;
          child.stdout.off('data', check);
          resolve();
        };
        child.stdout.on('data', check);
        child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${out}`)));
        check();
      }),
  };
}

describe("README's subscription examples, pasted", () => {
  let stack: TestStack;
  const dir = join(ROOT, '.junction', `readme-subscribe-${process.pid}`);
  const runs: Run[] = [];

  beforeAll(async () => {
    stack = await startStack();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    for (const { child } of runs) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await stack?.close();
  });

  it('the SSE curl and the graphql-ws client each receive a committed event', async () => {
    const key = stack.tenant.apiKey;
    const http = stack.gateway.url;
    const shell = block('sh')
      .replace('<the key npm start printed>', key)
      .replace('http://127.0.0.1:4000/graphql', http);
    const script = join(dir, 'subscribe.mjs');
    writeFileSync(script, block('js').replace('ws://127.0.0.1:4000/graphql', http.replace(/^http/, 'ws')));
    expect(shell).toContain(key);
    runs.push(run('bash', ['-c', shell], {}), run(process.execPath, [script], { JUNCTION_KEY: key }));

    // Both subscribed (nothing tells a client it is, so the metrics do), then one change is committed.
    await eventually('both examples to subscribe', async () => {
      const metrics = await (await fetch(http.replace(/\/graphql$/, '/metrics'))).text();
      return ['sse', 'websocket'].every((t) => metrics.includes(`junction_subscriptions_open{transport="${t}"} 1`));
    });
    const organization = LEEN_SEED[0]!;
    const target = organization.connections[0]!;
    const unit = { tenantId: stack.tenant.id, vendor: 'LEEN' as const, organizationId: organization.id };
    const store = stack.gateway.connectionIndex;
    const [entry] = await store.read(unit.tenantId, [unit]);
    const after: ConnectionModel = {
      id: connectionGlobalId('LEEN', organization.id, target.id),
      ...{ vendor: 'LEEN', organizationId: organization.id, key: target.id, externalId: target.id },
      provider: {
        ...{ vendor: 'LEEN', slug: 'tenable', displayName: 'Tenable', description: null, category: null },
        scopeOrganizationId: organization.id,
      },
      ...{ status: 'ERROR', vendorStatus: 'ERROR', health: null, accountIdentifier: null, sharedTeamKeys: null },
      ...{ actions: NO_ACTIONS, reauthorizeUrl: null, createdAt: null, updatedAt: null },
    };
    const time = new Date().toISOString();
    const committed = await store.commit(unit, {
      expectedVersion: entry?.version ?? null,
      syncedAt: time,
      connections: [after],
      lease: null,
      events: [
        {
          ...{ type: 'CREATED', changes: ['CREATED'], time, tenantId: unit.tenantId, vendor: 'LEEN' },
          ...{
            organizationId: organization.id,
            connectionKey: target.id,
            before: null,
            after,
            source: { kind: 'SYNC' },
          },
        },
      ],
    });
    if (committed.status !== 'committed') throw new Error('commit conflict');
    const id = committed.events[0]!.id;
    const [curl, client] = runs;
    await Promise.all([curl!.waitFor(`id: ${id}`), client!.waitFor(`"id":"${id}"`)]);
    expect(curl!.output()).toContain('"type":"CREATED"');
    expect(client!.output()).toContain('"after":{"status":"ERROR"}');
  });
});
