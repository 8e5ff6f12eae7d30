/**
 * The Node.js lines Junction supports (the current LTS lines); older ones still run
 * it, with a warning at start-up, while some machines only have them.
 */
export const SUPPORTED_NODE_MAJORS = [22, 24] as const;

/** End of life of the lines below the supported ones (nodejs.org/en/about/previous-releases). */
const END_OF_LIFE: Readonly<Record<number, string>> = { 18: '2025-04-30', 20: '2026-04-30' };

/** A warning for a Node.js version that is past end of life or not supported, or null. */
export function nodeSupportWarning(version: string = process.version): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= SUPPORTED_NODE_MAJORS[0]) return null;
  const eol = END_OF_LIFE[major];
  return (
    `Node.js ${version} ${eol ? `reached end of life on ${eol}` : 'is not supported'}: it gets no security fixes. ` +
    `Junction supports Node.js ${SUPPORTED_NODE_MAJORS.join(' and ')}; upgrade.`
  );
}
