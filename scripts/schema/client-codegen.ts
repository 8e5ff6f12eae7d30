import type { Types } from '@graphql-codegen/plugin-helpers';

/**
 * GraphQL Codegen's client preset over test/client/operations: typed documents
 * plus persisted-documents.json, the safelist manifest ({ "sha256:<hex>":
 * document }). The schema is SDL the caller introspected from a running gateway.
 */

export const CLIENT_OUTPUT_DIR = 'test/client/__generated__/';

export function clientCodegenConfig(schemaSdl: string): Types.Config {
  return {
    schema: schemaSdl,
    documents: ['test/client/operations/*.graphql'],
    silent: true,
    errorsOnly: true,
    generates: {
      [CLIENT_OUTPUT_DIR]: {
        preset: 'client',
        presetConfig: {
          fragmentMasking: false,
          persistedDocuments: { hashAlgorithm: 'sha256' },
        },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          strictScalars: true,
          scalars: { DateTime: 'string' },
          importExtension: '.js',
        },
      },
    },
  };
}
