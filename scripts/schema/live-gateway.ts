import { randomBytes } from 'node:crypto';
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { demoTenantConfig } from '../../src/sandbox/demo-config.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';

/**
 * Schema tooling reads the schema the way a client sees it: by introspecting a
 * running gateway over HTTP, not by reading schema/. That way the snapshot and
 * the typed client describe what is served (Apollo's own additions included),
 * and a gateway that drifted from schema/ cannot go unnoticed.
 */

/** Where the committed snapshot of the served schema lives: outside schema/, which is loaded as typeDefs. */
export const SNAPSHOT_PATH = 'schema-snapshot/current.graphql';
export const RELEASED_PATH = 'schema-snapshot/released.graphql';
export const ACCEPTED_CHANGES_PATH = 'schema-snapshot/accepted-breaking-changes.json';

/** The served schema, introspected over HTTP with every optional introspection feature graphql 16 has. */
export async function introspectServedSchema(url: string, apiKey: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      query: getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: { message: string }[] };
  if (!body.data) {
    throw new Error(`introspection failed (HTTP ${res.status}): ${body.errors?.map((e) => e.message).join('; ')}`);
  }
  return printSdl(body.data);
}

/** The snapshot's format: graphql-js's printed SDL, in served order, ending with a newline. */
export const printSdl = (introspection: IntrospectionQuery): string =>
  `${printSchema(buildClientSchema(introspection))}\n`;

/**
 * Starts the vendor sandbox and a gateway on free loopback ports (introspection
 * on, a throwaway demo key), runs `use`, and stops both.
 */
export async function withLiveGateway<T>(use: (gateway: { url: string; apiKey: string }) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox();
  const apiKey = `jk_tooling_${randomBytes(12).toString('hex')}`;
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      introspection: true,
      tenants: [demoTenantConfig(sandbox, 'tooling', apiKey)],
    },
  );
  const gateway = await startGateway(config, { logger: createLogger('silent') });
  try {
    return await use({ url: gateway.url, apiKey });
  } finally {
    await gateway.close(1_000);
    await sandbox.close();
  }
}
