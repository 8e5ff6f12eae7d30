import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The default destination writes each line as it is logged: a process that dies right after loses none. */

const FIXTURE = join(import.meta.dirname, 'fixtures', 'log-then-die.ts');

function run(how: 'kill' | 'throw'): Promise<{ stdout: string; code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stdout, code, signal }));
  });
}

describe('logger destination', () => {
  it.each(['kill', 'throw'] as const)('a line logged just before the process dies (%s) is on stdout', async (how) => {
    const { stdout, code, signal } = await run(how);
    if (how === 'kill') expect(signal).toBe('SIGKILL');
    else expect(code).not.toBe(0);
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ requestId: 'last-words', msg: 'request completed' })]);
  });
});
