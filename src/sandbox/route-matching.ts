import type { IncomingMessage } from 'node:http';
import type { SimRoute } from './simulator.js';

/** Contract path templates (`/organizations/{organizationId}:disconnect`) as regexes, and request body reading. */

export interface CompiledRoute {
  readonly route: SimRoute;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

export function compileRoute(route: SimRoute): CompiledRoute {
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

export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string) {
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
