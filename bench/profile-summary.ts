import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Summarises the CPU profiles `npm run bench -- --profile` leaves in
 * .bench/profiles: self time per function, and per package (node_modules/<name>,
 * Junction's own files, Node internals), heaviest first.
 *
 *   npx tsx bench/profile-summary.ts [dir] [--top 30]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const argv = process.argv.slice(2);
const topIndex = argv.indexOf('--top');
const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 30;
const dir =
  argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--top') ??
  join(import.meta.dirname, '..', '.bench', 'profiles');
const root = join(import.meta.dirname, '..');

const packageOf = (url: string) => {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  return url.includes('/dist/') ? 'junction (dist)' : url;
};

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const where = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  const pct = (m: number) => `${((100 * m) / total).toFixed(1).padStart(5)}%`;
  const idle = [...selfMicros]
    .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName))
    .reduce((a, [, m]) => a + m, 0);
  console.log(`\n=== ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${pct(idle)} idle/program`);
  console.log('-- by package (self time)');
  for (const [pkg, m] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(m)}  ${pkg}`);
  console.log(`-- top ${top} functions (self time)`);
  for (const [name, m] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(m)}  ${name}`);
}
