import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectServedSchema, SNAPSHOT_PATH } from '../../scripts/schema/live-gateway.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * The committed snapshot is what the running gateway serves, byte for byte.
 * On failure vitest prints a line diff (snapshot: expected, served: received).
 */
describe('the schema snapshot', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it(`${SNAPSHOT_PATH} equals the introspection of the running gateway`, async () => {
    const served = await introspectServedSchema(stack.gateway.url, stack.tenant.apiKey);
    expect(
      served,
      `The served schema differs from ${SNAPSHOT_PATH}. If the change is intended, run \`npm run schema:snapshot\` and commit it (then \`npm run schema:check\`).`,
    ).toBe(readFileSync(SNAPSHOT_PATH, 'utf8'));
  });

  it('introspection is refused without an API key, so the snapshot is not the only copy a stranger can read', async () => {
    await expect(introspectServedSchema(stack.gateway.url, 'jk_not_a_key')).rejects.toThrow(/HTTP 401/);
  });
});
