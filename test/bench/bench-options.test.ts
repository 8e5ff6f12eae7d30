import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';

/** `npm run bench -- --help` as a newcomer types it: the options, or one line naming a wrong one. */

function bench(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the bench command line', () => {
  it('lists its options on --help', async () => {
    const { code, stdout } = await bench('--help');
    expect(code).toBe(0);
    for (const option of ['--quick', '--duration', '--rounds', '--only', '--profile', '--node-args'])
      expect(stdout).toContain(option);
  });

  it('names an unknown option in one line, without a stack trace', async () => {
    const { code, stdout, stderr } = await bench('--bogus');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("Unknown option '--bogus'");
    expect(stderr).toContain('npm run bench -- --help');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
