import { describe, expect, it } from 'vitest';
import { startSource } from '../helpers/processes.js';

/** `npm run bench -- --help` as a newcomer types it: the options, or one line naming a wrong one. */

describe('the bench command line', () => {
  it('lists its options on --help', async () => {
    const help = startSource('bench/run.ts', ['--help']);
    expect(await help.exited()).toBe(0);
    for (const option of ['--quick', '--duration', '--rounds', '--only', '--profile', '--node-args'])
      expect(help.stdout()).toContain(option);
  });

  it('names an unknown option in one line, without a stack trace', async () => {
    const unknown = startSource('bench/run.ts', ['--bogus']);
    expect(await unknown.exited()).toBe(2);
    expect(unknown.stdout()).toBe('');
    expect(unknown.stderr()).toContain("Unknown option '--bogus'");
    expect(unknown.stderr()).toContain('npm run bench -- --help');
    expect(unknown.stderr()).not.toMatch(/\n\s+at /);
  });
});
