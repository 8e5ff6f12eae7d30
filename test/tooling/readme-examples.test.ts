import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { ROOT, startSource, type Child } from '../helpers/processes.js';

/**
 * README's "Example operations", pasted: every GraphQL block and every shell block of
 * that section, run against a gateway on the config `npm run sandbox` writes, with the
 * key it keeps. The delete takes its ID from the query before it, as the README says.
 */

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = README.slice(
  README.indexOf('## Example operations'),
  README.indexOf('\n## ', README.indexOf('## Example operations') + 1),
);
const blocks = (language: string) =>
  [...section.matchAll(new RegExp('```' + language + '\\n([^]*?)```', 'g'))].map((m) => m[1]!);

type Answer = { data?: Record<string, unknown> | null; errors?: unknown[] };

let dir: string;
let sandbox: Child;
let gateway: RunningGateway;
let apiKey: string;

const post = async (query: string, variables: Record<string, unknown>): Promise<Answer> => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
};

describe("README's example operations, pasted against the sandbox", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-readme-'));
    sandbox = startSource('src/sandbox/cli.ts', [
      '--base-port',
      '0',
      '--config',
      join(dir, '.junction/sandbox.yaml'),
      '--key-file',
      join(dir, '.junction/demo-key'),
    ]);
    apiKey = (await sandbox.waitFor(/API key of tenant "sandbox": (\S+)/))[1]!;
    await sandbox.waitFor(/Ctrl-C stops the sandbox/);
    const config = loadConfig(
      { JUNCTION_CONFIG: join(dir, '.junction/sandbox.yaml') },
      { port: 0, host: '127.0.0.1', logLevel: 'silent' },
    );
    gateway = await startGateway(config, { logger: createLogger('silent') });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close(1_000);
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the dashboard, the paused-connections query, a page and the delete, each a named operation', () => {
    const names = blocks('graphql').flatMap((text) =>
      parse(text).definitions.map((d) =>
        d.kind === Kind.OPERATION_DEFINITION ? (d.name?.value ?? '(anonymous)') : '',
      ),
    );
    expect(names).toEqual(['Dashboard', 'PausedLeenConnections', 'ConnectionsPage', 'DeleteConnection']);
    expect(section).not.toContain('…');
  });

  it('runs every GraphQL block without an error, the delete on the ID the query before it returned', async () => {
    let lastConnectionIds: string[] = [];
    for (const text of blocks('graphql')) {
      const operation = parse(text).definitions[0] as OperationDefinitionNode;
      const variables: Record<string, unknown> = {};
      for (const definition of operation.variableDefinitions ?? []) {
        const name = definition.variable.name.value;
        if (name === 'connectionId') variables[name] = lastConnectionIds[0];
        else if (name === 'dryRun') variables[name] = true;
        else if (name === 'after') variables[name] = null;
        else throw new Error(`README's ${operation.name?.value} has a variable this test does not know: $${name}`);
      }
      const answer = await post(text, variables);
      expect(answer.errors, operation.name?.value).toBeUndefined();
      expect(answer.data, operation.name?.value).toBeTruthy();
      const nodes = (answer.data!.connections as { nodes?: { id: string }[] } | undefined)?.nodes;
      if (nodes) lastConnectionIds = nodes.map((n) => n.id);
      if (operation.operation === 'mutation') {
        const payload = answer.data!.deleteConnection as {
          dryRun: boolean;
          connection: { id: string };
          userErrors: unknown[];
        };
        expect(payload).toMatchObject({ dryRun: true, connection: { id: variables.connectionId }, userErrors: [] });
      }
    }
    expect(lastConnectionIds.length).toBeGreaterThan(0);
  });

  it('runs the shell blocks as pasted: a query, then the dry run and the delete of the ID it returned', async () => {
    const script = blocks('sh').join('\n').replaceAll('http://127.0.0.1:4000/graphql', gateway.url);
    expect(script).toContain('$(cat .junction/demo-key)');
    // cwd: the directory holding .junction/, as the repository's is when a user pastes.
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
    const answers = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Answer);
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    expect((answers[0]!.data!.organizations as unknown[]).length).toBe(10);
    const [dryRun, deleted] = answers.slice(1).map((a) => a.data!.deleteConnection as Record<string, unknown>);
    expect(dryRun).toMatchObject({ dryRun: true, connection: { status: 'PAUSED' }, userErrors: [] });
    expect(deleted).toMatchObject({ dryRun: false, connection: { status: 'DISCONNECTED' }, userErrors: [] });
    expect((deleted!.connection as { id: string }).id).toBe((dryRun!.connection as { id: string }).id);
  });
});
