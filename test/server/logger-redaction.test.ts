import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';

/** The logger's key check is remembered per key name: the same answer every time, and past its bound too. */

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('logger redaction by key name', () => {
  it('censors a secret key on every line, in any letter case, and leaves other keys as they are', async () => {
    const { logger, lines } = capture();
    for (let i = 0; i < 3; i += 1)
      logger.info({ Authorization: 'Bearer jk_one', headers: { 'x-junction-leen-token': 't0k' }, route: '/graphql' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.Authorization).toBe('[redacted]');
      expect(line.headers).toEqual({ 'x-junction-leen-token': '[redacted]' });
      expect(line.route).toBe('/graphql');
    }
  });

  it('still censors once thousands of distinct key names were seen (the remembered set is bounded)', async () => {
    const { logger, lines } = capture();
    for (let i = 0; i < 5_000; i += 1) logger.info({ [`field${i}`]: i });
    logger.info({ PASSWORD: 'hunter2', apiKey: 'k', cookie: 'c', field7: 7 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.at(-1)).toMatchObject({
      PASSWORD: '[redacted]',
      apiKey: '[redacted]',
      cookie: '[redacted]',
      field7: 7,
    });
    expect(JSON.stringify(lines.at(-1))).not.toContain('hunter2');
  });
});
