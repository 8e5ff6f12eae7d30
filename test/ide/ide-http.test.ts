import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The IDE over plain HTTP: what a browser's request for /graphql gets, the
 * assets it then loads, and when the IDE is off. ide.browser.test.ts drives it
 * in Chromium.
 */

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const pageOf = (gatewayUrl: string, init: RequestInit = {}) =>
  fetch(gatewayUrl, { ...init, headers: { accept: BROWSER_ACCEPT, ...init.headers } });
const assetUrl = (gatewayUrl: string, name: string) => new URL(`/ide/${name}`, gatewayUrl).href;

describe('the IDE outside production (the default)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers a browser at /graphql with the IDE page, without an API key, under a strict CSP', async () => {
    const res = await pageOf(stack.gateway.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('vary')).toContain('accept');
    const html = await res.text();
    // Only relative references: every script and style comes from the gateway that served the page.
    expect(html).toContain('src="ide/main.js"');
    expect(html).toContain('href="ide/main.css"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the bundle, Monaco workers included, gzipped when asked, revalidated by ETag', async () => {
    for (const name of ['main.js', 'main.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      const res = await fetch(assetUrl(stack.gateway.url, name), { headers: { 'accept-encoding': 'identity' } });
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toMatch(name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await res.arrayBuffer()).byteLength, name).toBeGreaterThan(1000);
    }
    const main = assetUrl(stack.gateway.url, 'main.js');
    const plain = await fetch(main, { headers: { 'accept-encoding': 'identity' } });
    const plainLength = Number(plain.headers.get('content-length'));
    await plain.arrayBuffer();
    // fetch decodes gzip itself; the declared length tells which body was sent.
    const zipped = await fetch(main, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(plainLength / 2);
    expect(await zipped.arrayBuffer()).toHaveProperty('byteLength', plainLength);
    const etag = zipped.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(main, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('serves only files the build wrote', async () => {
    for (const path of [
      '/ide/',
      '/ide/build-stamp.txt',
      '/ide/main.js.gz',
      '/ide/..%2Fpackage.json',
      '/ide/%2e%2e/%2e%2e/package.json',
      '/ide/nope.js',
    ]) {
      const res = await fetch(new URL(path, stack.gateway.url));
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
    const post = await fetch(assetUrl(stack.gateway.url, 'main.js'), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('leaves GraphQL requests to GraphQL: JSON clients, GET operations and POSTs still need the key', async () => {
    const json = await fetch(stack.gateway.url, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(401);
    const anything = await fetch(stack.gateway.url, { headers: { accept: '*/*' } });
    expect(anything.status).toBe(401);
    const getOperation = await pageOf(`${stack.gateway.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(getOperation.status).toBe(401);
    expect(getOperation.headers.get('content-type')).toMatch(/^application\/json/);
    const post = await stack.gql('{ __typename }', undefined, { apiKey: null });
    expect(post.status).toBe(401);
    const withKey = await stack.gql('{ __typename }');
    expect(withKey.body.data).toEqual({ __typename: 'Query' });
  });
});

describe('the IDE in production', () => {
  it('is off by default: a browser gets the API, and the assets are not there', async () => {
    const stack = await startStack({ config: { production: true } });
    try {
      const page = await pageOf(stack.gateway.url);
      expect(page.status).toBe(401);
      expect(page.headers.get('content-type')).toMatch(/^application\/json/);
      // With a key, Apollo's own landing page (which loads from a CDN) does not appear either.
      const withKey = await pageOf(stack.gateway.url, { headers: { authorization: `Bearer ${stack.tenant.apiKey}` } });
      expect(withKey.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await withKey.text()).not.toContain('<html');
      const asset = await fetch(assetUrl(stack.gateway.url, 'main.js'));
      expect(asset.status).toBe(404);
      await asset.arrayBuffer();
    } finally {
      await stack.close();
    }
  });

  it('is on when the config or JUNCTION_IDE says so, and JUNCTION_IDE=false turns it off elsewhere', async () => {
    const enabled = await startStack({ config: { production: true, ide: true } });
    const fromEnv = await startStack({ env: { NODE_ENV: 'production', JUNCTION_IDE: 'true' } });
    const disabled = await startStack({ env: { JUNCTION_IDE: 'false' } });
    try {
      expect((await pageOf(enabled.gateway.url)).status).toBe(200);
      expect((await pageOf(fromEnv.gateway.url)).status).toBe(200);
      const off = await pageOf(disabled.gateway.url);
      expect(off.status).toBe(401);
    } finally {
      await Promise.all([enabled.close(), fromEnv.close(), disabled.close()]);
    }
  });
});
