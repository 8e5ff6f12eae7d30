import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { upstreamReadKey } from '../../src/cache/keys.js';

/** A read's cache key names its scope by a hash of it, whether or not that hash was worked out before. */

const key = (scope: string) => upstreamReadKey({ tenantId: 't1', vendor: 'LEEN', scope, path: '/orgs/1' });
const digest = (scope: string) => createHash('sha256').update(scope).digest('base64url').slice(0, 16);

describe('read keys', () => {
  it('hold the scope hashed, never the scope itself', () => {
    expect(key('projectmanager:org-1:user:abc')).toBe(
      `junction:{t1}:v1:read:LEEN:${digest('projectmanager:org-1:user:abc')}:/orgs/1`,
    );
  });

  it('stay the same for a scope across more scopes than are remembered, and differ between scopes', () => {
    const scopes = Array.from({ length: 10_000 }, (_, i) => `outlit:org-${i}`);
    const first = scopes.map(key);
    const again = scopes.map(key);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(scopes.length);
    expect(first[1234]).toContain(digest('outlit:org-1234'));
  });
});
