import { buildIde } from '../../scripts/build-ide.js';

/** vitest globalSetup: the IDE bundle the gateways serve (scripts/build-ide.ts; a no-op when it is current). */
export default async function setup(): Promise<void> {
  await buildIde();
}
