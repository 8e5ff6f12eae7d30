// @ts-check
import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';

// graphql-eslint loads one graphql-config per process (the first file's), so both GraphQL blocks share it.
const graphQLConfig = { schema: 'schema/*.graphql', documents: 'test/client/operations/*.graphql' };
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'src/__generated__/**',
      'coverage/**',
      'test/client/__generated__/**',
      'test/client/apollo/__generated__/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Layering: resolvers see the domain only, never a vendor's folder or the HTTP layer.
    files: ['src/resolvers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../vendors/*', '../http/*', '../cache/*', '../loaders/*'],
              message: 'Resolvers go through src/domain.',
            },
          ],
        },
      ],
    },
  },
  {
    // A vendor's folder never imports another vendor's folder.
    files: ['src/vendors/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/*', '!../port.js', '!../../*'],
              message: 'Vendors are independent: share code through src/vendors/port.ts or a layer below.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The schema is a product: every element described, names by convention, deprecations with a reason.
    files: ['schema/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      // Short descriptions are inline strings, long ones block strings: both read well.
      '@graphql-eslint/description-style': 'off',
      // Entities (Node) carry `id: ID!`; payloads, lists, errors and health reports are values without one.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        { exceptions: { suffixes: ['Payload', 'List', 'Error', 'Health', 'Detail'] } },
      ],
    },
  },
  {
    // The client operations a frontend and automation send (typed by the client preset, safelisted by hash).
    files: ['test/client/operations/*.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: graphql.configs['flat/operations-recommended'].rules,
  },
);
