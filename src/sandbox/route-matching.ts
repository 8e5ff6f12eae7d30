import type { IncomingMessage } from 'node:http';

/** Contract path templates (`/organizations/{organizationId}:disconnect`) as regexes, and request body reading. */

/** What matching needs of a route (simulator.ts's SimRoute); the rest travels along. */
interface RoutePattern {
  readonly method: string;
  readonly path: string;
}

export interface CompiledRoute<R extends RoutePattern> {
  readonly route: R;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

export function compileRoute<R extends RoutePattern>(route: R): CompiledRoute<R> {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+?)';
    })
    .join('');
  return { route, regex: new RegExp(`^${source}$`), names };
}

export function matchRoute<R extends RoutePattern>(routes: readonly CompiledRoute<R>[], method: string, path: string) {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const m = compiled.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    return { route: compiled.route, params };
  }
  return null;
}

export const readRaw = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export const parseBody = (raw: string): unknown => {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};
