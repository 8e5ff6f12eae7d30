import { existsSync, readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { clientCodegenConfig } from './schema/client-codegen.js';
import { introspectServedSchema, withLiveGateway } from './schema/live-gateway.js';

/**
 * The typed client of test/client/operations, generated with GraphQL Codegen's
 * client preset from the introspection of a running gateway (sandbox + gateway
 * on free loopback ports) — the same way a frontend team generates its client
 * against a deployed Junction. `--check` regenerates in memory and fails when
 * the committed files differ, or when an operation no longer validates against
 * the served schema (codegen refuses invalid documents).
 *
 * Also emits persisted-documents.json: the safelist manifest ({ "sha256:<hex>":
 * document }) that a gateway in safelist mode runs operations from.
 */

const checkOnly = process.argv.includes('--check');
try {
  const outputs: Types.FileOutput[] = await withLiveGateway(async ({ url, apiKey }) =>
    generate(clientCodegenConfig(await introspectServedSchema(url, apiKey)), !checkOnly),
  );
  if (checkOnly) {
    const stale = outputs.filter((o) => !existsSync(o.filename) || readFileSync(o.filename, 'utf8') !== o.content);
    if (stale.length > 0) {
      console.error(
        `The generated client is stale: ${stale.map((o) => o.filename).join(', ')}.\n` +
          "Run 'npm run codegen' and commit test/client/__generated__/.",
      );
      process.exitCode = 1;
    }
  } else console.log(`generated ${outputs.map((o) => o.filename).join(', ')}`);
} catch (error) {
  // Codegen's errors name the operation and the field that no longer validates.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
