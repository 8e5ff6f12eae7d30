import { boundHeapGrowth, holdYoungGeneration, stopPretenuring } from './heap-growth.js';

/**
 * Entry point (`npm start`, the image): V8's heap settings first, then the
 * gateway process (src/gateway-process.ts). Its modules are imported only once
 * the settings hold, since loading them is most of what start-up allocates.
 */

boundHeapGrowth();
stopPretenuring();
const releaseYoungGeneration = holdYoungGeneration();
try {
  const { runGatewayProcess } = await import('./gateway-process.js');
  await runGatewayProcess({ onStarted: releaseYoungGeneration });
} catch (error) {
  console.error('Junction failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
}
