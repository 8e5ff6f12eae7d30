import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * parseArgs for a command a person types (`npm run sandbox`, `npm run bench`): `--help` (declared in
 * `config`) prints `usage` and exits 0; an unknown or malformed option is one line naming it and pointing
 * at `--help`, exit 2, not node's stack trace.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n(${command} -- --help lists the options)\n`);
    return process.exit(2);
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed;
}
