import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { describe, expect, it } from 'vitest';
import { clientCodegenConfig } from '../../scripts/schema/client-codegen.js';
import { SNAPSHOT_PATH } from '../../scripts/schema/live-gateway.js';

/**
 * The client preset as CI runs it (`npm run codegen:check` generates from a live
 * gateway; here from the snapshot, which schema-snapshot.test.ts proves equal to it).
 */
describe('client codegen', () => {
  const snapshot = readFileSync(SNAPSHOT_PATH, 'utf8');

  it('the committed typed client and manifest are what the client preset generates', async () => {
    const outputs = (await generate(clientCodegenConfig(snapshot), false)) as Types.FileOutput[];
    expect(outputs.map((o) => o.filename).sort()).toEqual([
      'test/client/__generated__/gql.ts',
      'test/client/__generated__/graphql.ts',
      'test/client/__generated__/index.ts',
      'test/client/__generated__/persisted-documents.json',
      'test/client/apollo/__generated__/gql.ts',
      'test/client/apollo/__generated__/graphql.ts',
      'test/client/apollo/__generated__/index.ts',
      'test/client/apollo/__generated__/persisted-documents.json',
      'test/client/apollo/__generated__/possible-types.ts',
    ]);
    for (const output of outputs) expect(output.content).toBe(readFileSync(output.filename, 'utf8'));
  });

  it('a schema change that breaks a client operation fails generation, naming the operation and field', async () => {
    const broken = snapshot.replace(
      '\n  """When the vendor last changed the connection, where it reports it."""\n  updatedAt: DateTime\n}',
      '\n}',
    );
    expect(broken).not.toBe(snapshot);
    await expect(generate(clientCodegenConfig(broken), false)).rejects.toThrow(
      /Cannot query field "updatedAt" on type "Connection"[^]*dashboard\.graphql/,
    );
  });
});
