import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion, type BuildOptions } from 'esbuild';

/**
 * Bundles the in-browser IDE (GraphiQL and the Monaco editor it runs on, with
 * their web workers and styles) into dist/ide with esbuild, so the gateway
 * serves every file itself and the page needs no network beyond the gateway.
 * Skipped when nothing it is built from changed since the last build.
 *
 *   tsx scripts/build-ide.ts [--force]
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const browserDir = join(root, 'src', 'server', 'ide', 'browser');
export const IDE_OUT_DIR = join(root, 'dist', 'ide');
const STAMP = 'build-stamp.txt';

/** Monaco's workers, by the label monaco asks for (browser/monaco-workers.ts maps labels to these files). */
const WORKERS = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** Everything the bundle depends on: our browser sources, this script, the locked package versions. */
function inputsDigest(): string {
  const hash = createHash('sha256').update(esbuildVersion);
  for (const file of [
    join(root, 'package-lock.json'),
    fileURLToPath(import.meta.url),
    ...readdirSync(browserDir).map((name) => join(browserDir, name)),
  ].sort()) {
    hash.update(relative(root, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

export interface IdeBuildResult {
  readonly outDir: string;
  readonly built: boolean;
  readonly files: readonly string[];
}

export async function buildIde({ force = false } = {}): Promise<IdeBuildResult> {
  const digest = inputsDigest();
  const stampFile = join(IDE_OUT_DIR, STAMP);
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) {
    return { outDir: IDE_OUT_DIR, built: false, files: readdirSync(IDE_OUT_DIR) };
  }
  // Built beside the old bundle and swapped in whole: a gateway never serves half of one.
  const staging = `${IDE_OUT_DIR}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    legalComments: 'external',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    absWorkingDir: root,
    outdir: staging,
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: { main: join(browserDir, 'main.tsx') },
      // Classic script: document.currentScript tells the page where its assets live.
      format: 'iife',
      jsx: 'automatic',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'dataurl' },
      assetNames: '[name]-[hash]',
      // Optional peer of GraphiQL's fetcher, for subscriptions over websockets, which Junction does not serve.
      external: ['graphql-ws'],
    }),
    build({ ...common, entryPoints: WORKERS, format: 'iife' }),
  ]);
  const files = readdirSync(staging);
  for (const name of files) {
    if (/\.(js|css|txt)$/.test(name)) {
      writeFileSync(join(staging, `${name}.gz`), gzipSync(readFileSync(join(staging, name)), { level: 9 }));
    }
  }
  writeFileSync(join(staging, STAMP), digest);
  rmSync(IDE_OUT_DIR, { recursive: true, force: true });
  mkdirSync(dirname(IDE_OUT_DIR), { recursive: true });
  renameSync(staging, IDE_OUT_DIR);
  return { outDir: IDE_OUT_DIR, built: true, files: readdirSync(IDE_OUT_DIR) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const result = await buildIde({ force: process.argv.includes('--force') });
  console.log(
    result.built
      ? `IDE bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${relative(root, result.outDir)}`
      : `IDE bundle is current: ${relative(root, result.outDir)}`,
  );
}
