import { describe, expect, it } from 'vitest';
import { requestTarget } from '../../src/http/request-target.js';

/**
 * Where a vendor call goes: the origin and path undici is given must be what
 * WHATWG URL parsing makes of the URL, whether or not the URL took the path
 * that skips building a URL object.
 */

const byUrlParsing = (url: string) => {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname };
};

const BASES = [
  'http://127.0.0.1:39197',
  'https://api.leen.dev',
  'https://API.Leen.dev',
  'https://api.leen.dev:443',
  'http://user:pass@host.test:8080',
  'http://[::1]:3000',
  'https://xn--bcher-kva.example',
  'https://bücher.example',
];

const PATHS = [
  '/provisioning/organizations/be4c0005-0000-4000-8000-000000000000/connections',
  '/v1/orgs/org_28seyVGVL1got6/integrations',
  '/a//b',
  '/a/./b',
  '/a/../b',
  '/a/%2e%2E/b',
  '/a/.%2e',
  '/a/..',
  '/a/.hidden/b',
  '/a/b..c/d',
  '/a%2Fb',
  '/a b',
  '/a"b',
  "/a'b",
  '/a\\b',
  '/a<b>',
  '/a{b}',
  '/a|b',
  '/a^b',
  '/a`b',
  '/a[b]',
  '/é',
  '/a%zz',
  '/a#frag',
  '/a?',
  '/a?x=1&y=2',
  "/a?x='1'",
  '/a?x=a b',
  '/a?x=1?y=2',
  '/a?x=%20#f',
  '/a?x=é',
  '/a?x=1/2:3@4',
  '/~user/a-b_c.d!$&()*+,;=:@',
  '/a\tb',
  '/a\nb',
];

describe('requestTarget', () => {
  it.each(BASES.flatMap((base) => PATHS.map((path) => `${base}${path}`)))('%s: as URL parsing has it', (url) => {
    expect(requestTarget(url)).toEqual(byUrlParsing(url));
  });

  it('a base URL with a path keeps it, as URL parsing has it', () => {
    for (const url of ['http://h.test/api/v2/orgs?x=1', 'http://h.test/api/../orgs', 'http://h.test'])
      expect(requestTarget(url)).toEqual(byUrlParsing(url));
  });

  it('a URL that is no URL fails as URL parsing does', () => {
    expect(() => requestTarget('not a url')).toThrow(TypeError);
    expect(() => requestTarget('/relative/path')).toThrow(TypeError);
  });
});
