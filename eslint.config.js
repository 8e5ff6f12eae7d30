// @ts-check
import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';
import boundaries from 'eslint-plugin-boundaries';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';

// graphql-eslint loads one graphql-config per process (the first file's), so both GraphQL blocks share it.
const graphQLConfig = { schema: 'schema/*.graphql', documents: 'test/client/operations/*.graphql' };
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom (README "Architecture"): each may import
 * itself, the layers listed for it in MAY_IMPORT, and the leaves. Leaves are
 * single files that import no layer (vendor-neutral models and errors, the
 * schema's enums, the input policy, secrets, logging and trace ids) and the
 * per-request state.
 */
const LAYERS = [
  { type: 'request', pattern: 'src/request', partialMatch: false },
  { type: 'cache', pattern: 'src/cache', partialMatch: false },
  { type: 'http', pattern: 'src/http', partialMatch: false },
  { type: 'loaders', pattern: 'src/loaders', partialMatch: false },
  { type: 'vendors', pattern: 'src/vendors', partialMatch: false },
  { type: 'domain', pattern: 'src/domain', partialMatch: false },
  { type: 'resolvers', pattern: 'src/{resolvers,__generated__}', partialMatch: false },
  { type: 'server', pattern: 'src/server', partialMatch: false },
  // Background work: the connection index's sync, and webhook deliveries of its events.
  { type: 'sync', pattern: 'src/sync', partialMatch: false },
  { type: 'webhooks', pattern: 'src/webhooks', partialMatch: false },
  // Metrics, readiness and the unknown-values watch: wired by the composition root, reading the layers' events.
  { type: 'operations', pattern: 'src/observability', partialMatch: false },
  { type: 'config', pattern: 'src/config', partialMatch: false },
  { type: 'sandbox', pattern: 'src/sandbox', partialMatch: false },
  // The composition root: app.ts, main.ts, gateway-process.ts, heap-growth.ts, node-support.ts.
  { type: 'app', pattern: 'src', partialMatch: false },
];
const LEAF_FILES = [
  // The connection index's ports and event types: the cache implements them, every layer above reads them.
  {
    category: 'leaf',
    pattern: 'src/domain/{models,errors,input-policy,connection-index,webhook-deliveries,bounded-memo,global-id}.ts',
  },
  // The schema's enums (codegen), which the models' vendor, status and code types are.
  { category: 'leaf', pattern: 'src/__generated__/schema-enums.ts' },
  { category: 'leaf', pattern: 'src/config/secret.ts' },
  { category: 'leaf', pattern: 'src/observability/{logger,random-ids,request-trace,tracing}.ts' },
  // How the commands a person types (the sandbox, the bench) read their options.
  { category: 'leaf', pattern: 'src/command-line.ts' },
];
/** What each layer may import besides itself and the leaves. */
const MAY_IMPORT = {
  request: [],
  cache: [],
  http: [],
  loaders: ['cache', 'http'],
  vendors: ['loaders', 'http'],
  // The domain reaches vendors through src/vendors/port.ts and the cache through its own ports (idempotency store).
  domain: ['vendors'],
  resolvers: ['domain'],
  server: ['resolvers', 'domain', 'vendors', 'loaders', 'cache', 'operations', 'config'],
  sync: ['domain', 'vendors', 'loaders', 'cache', 'config'],
  webhooks: ['domain', 'cache', 'http', 'config'],
  operations: ['cache', 'http', 'vendors'],
  config: ['vendors'],
  sandbox: ['config'],
  app: [
    'server',
    'sync',
    'webhooks',
    'resolvers',
    'domain',
    'vendors',
    'loaders',
    'cache',
    'http',
    'operations',
    'config',
    'sandbox',
  ],
};

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
    // Layering (LAYERS above) and no import cycles: a violation fails `npm run lint`, and so CI.
    files: ['src/**/*.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'boundaries/elements': LAYERS,
      'boundaries/files': LEAF_FILES,
      'boundaries/include': ['src/**/*.ts'],
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkInternals: true,
          policies: [
            ...Object.entries(MAY_IMPORT).map(([from, layers]) => ({
              from: { element: { type: from } },
              allow: { to: { element: { types: { anyOf: [from, 'request', ...layers] } } } },
            })),
            { allow: { to: { file: { categories: 'leaf' } } } },
            // A leaf stays one: it imports other leaves only.
            { from: { file: { categories: 'leaf' } }, disallow: { to: { element: { types: '*' } } } },
            { from: { file: { categories: 'leaf' } }, allow: { to: { file: { categories: 'leaf' } } } },
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The domain sees one file of src/vendors: the port. Adapters and the registry are the server's to wire.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../vendors/*', '!../vendors/port.js'],
              message: 'The domain sees vendors through src/vendors/port.ts.',
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
        {
          exceptions: {
            suffixes: ['Payload', 'List', 'Error', 'Health', 'Detail', 'Attempt', 'Edge', 'Page', 'PageInfo'],
          },
        },
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
