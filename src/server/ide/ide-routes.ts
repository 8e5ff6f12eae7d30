import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Negotiator from 'negotiator';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';

/**
 * The in-browser IDE (GraphiQL, bundled by scripts/build-ide.ts into dist/ide):
 * a browser's GET of /graphql gets the IDE page, and /ide/<file> its scripts,
 * styles, fonts and Monaco's workers. Nothing comes from anywhere else; the
 * page loads without an API key, and its GraphQL requests carry the key the
 * user enters in it.
 */

/** dist/ide sits three levels above this file, in src/ and in dist/ alike. */
export const IDE_ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'ide');
const ASSET_PREFIX = '/ide/';

/** The IDE is on outside production unless the config says otherwise. */
export const ideEnabled = (config: Pick<Config, 'ide' | 'production'>): boolean => config.ide ?? !config.production;

export interface IdeRoutes {
  /** True for a browser's page request to /graphql and for any /ide/ path. */
  handles(req: IncomingMessage, url: URL): boolean;
  serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/**
 * Only the gateway itself; Monaco sets inline styles, GraphiQL's fonts are data: URLs,
 * and its workers come from /ide/.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

// Relative to /graphql, so a proxy's path prefix carries over to the assets.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Junction · GraphiQL</title>
    <link rel="stylesheet" href="ide/main.css" />
    <script defer src="ide/main.js"></script>
  </head>
  <body>
    <div id="junction-ide"></div>
    <noscript>Junction's GraphQL IDE needs JavaScript.</noscript>
  </body>
</html>
`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  ttf: 'font/ttf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

interface Asset {
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly etag: string;
  readonly contentType: string;
}

/** Loaded on first use and shared by every gateway of the process: the bundle is a few megabytes. */
const assetCache = new Map<string, Promise<Asset>>();

async function loadAsset(dir: string, name: string): Promise<Asset> {
  const body = await readFile(join(dir, name));
  const gzip = await readFile(join(dir, `${name}.gz`)).catch(() => undefined);
  const extension = name.slice(name.lastIndexOf('.') + 1);
  return {
    body,
    gzip,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
  };
}

export interface IdeOptions {
  readonly logger: Logger;
  /** Where the built bundle is. @default IDE_ASSETS_DIR */
  readonly assetsDir?: string;
}

export function createIdeRoutes({ logger, assetsDir = IDE_ASSETS_DIR }: IdeOptions): IdeRoutes {
  // Only files the build wrote are served: a name from this list, never a path built from the URL.
  const files = existsSync(assetsDir)
    ? new Set(readdirSync(assetsDir).filter((name) => !name.endsWith('.gz') && name !== 'build-stamp.txt'))
    : new Set<string>();
  const built = files.has('main.js') && files.has('main.css');
  if (!built) logger.warn({ assetsDir }, 'IDE enabled but not built: run `npm run build` (or `npm run build:ide`)');

  const asset = (name: string) => {
    const key = join(assetsDir, name);
    let loading = assetCache.get(key);
    if (!loading) {
      loading = loadAsset(assetsDir, name);
      assetCache.set(key, loading);
      loading.catch(() => assetCache.delete(key));
    }
    return loading;
  };

  return {
    handles(req, url) {
      if (url.pathname.startsWith(ASSET_PREFIX)) return true;
      return url.pathname === '/graphql' && isPageRequest(req, url);
    },
    async serve(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('Method not allowed\n');
      }
      if (url.pathname === '/graphql') return sendPage(req, res, built);
      const name = url.pathname.slice(ASSET_PREFIX.length);
      if (!files.has(name)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
        return void res.end('Not found\n');
      }
      sendAsset(req, res, await asset(name));
    },
  };
}

/** A browser navigating to the endpoint: GET, HTML preferred over JSON, and no GraphQL operation in the query string. */
function isPageRequest(req: IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (url.searchParams.has('query') || url.searchParams.has('extensions')) return false;
  // The negotiation Apollo Server uses for its landing page: a tie or a bare */* goes to JSON.
  return (
    new Negotiator(req).mediaType(['application/json', 'application/graphql-response+json', 'text/html']) ===
    'text/html'
  );
}

function sendPage(req: IncomingMessage, res: ServerResponse, built: boolean): void {
  const body = built ? PAGE : 'The IDE is not built on this gateway: run `npm run build`, then restart it.\n';
  res.writeHead(built ? 200 : 503, {
    'content-type': built ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    // Origin too: every /graphql answer says so (server/cors.ts), and writeHead's value wins over theirs.
    vary: 'accept, origin',
    'content-security-policy': PAGE_CSP,
    'x-frame-options': 'DENY',
    ...SECURITY_HEADERS,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers = {
    'content-type': asset.contentType,
    // Names are stable across builds: browsers revalidate, and an unchanged file costs a 304.
    'cache-control': 'no-cache',
    etag: asset.etag,
    vary: 'accept-encoding',
    ...SECURITY_HEADERS,
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? asset.gzip : undefined;
  const body = gzip ?? asset.body;
  res.writeHead(200, {
    ...headers,
    ...(gzip && { 'content-encoding': 'gzip' }),
    'content-length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
