import { describe, expect, it } from 'vitest';
import { configuredOrganizations } from '../../src/vendors/adapter-kit.js';

describe("a tenant's configured organizations", () => {
  it('answers get, has and position the same whatever was asked before (repeats, unknown ids, equal copies)', () => {
    const configured = [{ id: 'org-a', displayName: 'A' }, { id: 'org-b' }, { id: 'org-c', displayName: 'C' }];
    const organizations = configuredOrganizations(configured);
    const expected = (id: string) => {
      const position = configured.findIndex((o) => o.id === id);
      return position < 0
        ? { has: false, position: undefined, displayName: undefined }
        : { has: true, position, displayName: configured[position]!.displayName ?? null };
    };
    // Each id asked twice in a row, after an unknown one and after another, and as a copy built at run time.
    const asked = [
      'org-a',
      'org-a',
      'org-x',
      'org-a',
      'org-b',
      'org-x',
      'org-x',
      'org-c',
      'org-b',
      ['org', 'c'].join('-'),
      '',
    ];
    for (const id of asked) {
      expect({
        has: organizations.has(id),
        position: organizations.position(id),
        displayName: organizations.get(id)?.displayName,
      }).toEqual(expected(id));
    }
    expect(configuredOrganizations(configured)).toBe(organizations);
  });
});
