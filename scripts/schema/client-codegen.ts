import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';
import type { Types } from '@graphql-codegen/plugin-helpers';

/**
 * GraphQL Codegen's client preset over test/client/operations: typed documents
 * plus persisted-documents.json, the safelist manifest ({ "sha256:<hex>":
 * document }). The schema is SDL the caller introspected from a running gateway.
 *
 * The same operations again for Apollo Client (README's recipe): `__typename` added
 * to every selection before hashing, so the manifest holds what Apollo's cache sends
 * and needs, and `possibleTypes` from the fragment-matcher plugin.
 */

export const CLIENT_OUTPUT_DIR = 'test/client/__generated__/';
export const APOLLO_OUTPUT_DIR = 'test/client/apollo/__generated__/';

const clientConfig = {
  useTypeImports: true,
  enumsAsTypes: true,
  strictScalars: true,
  scalars: { DateTime: 'string' },
  importExtension: '.js',
};

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
        config: clientConfig,
      },
      [APOLLO_OUTPUT_DIR]: {
        preset: 'client',
        documentTransforms: [addTypenameSelectionDocumentTransform],
        presetConfig: {
          fragmentMasking: false,
          persistedDocuments: { hashAlgorithm: 'sha256' },
        },
        config: clientConfig,
      },
      [`${APOLLO_OUTPUT_DIR}possible-types.ts`]: {
        plugins: ['fragment-matcher'],
        config: { useExplicitTyping: true },
      },
    },
  };
}
