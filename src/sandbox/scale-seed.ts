import { generateLeenSeed, type LeenSeedOrganization } from './leen/seed.js';
import { generateUserHubSeed } from './userhub/seed.js';

/** Connections per organization in the scale seed: `--scale 10000` is 100,000 connections. */
export const SCALE_CONNECTIONS_PER_ORGANIZATION = 10;

/**
 * The sandbox's scale tenant (`--scale N`): N generated organizations split
 * between the vendors whose simulators keep organizations of their own (Leen
 * gets the odd one), so pages and the sync cross a vendor boundary as a real
 * tenant's do. Deterministic and linear in N.
 */
export function generateScaleSeed(organizations: number): {
  leen: LeenSeedOrganization[];
  userhub: ReturnType<typeof generateUserHubSeed>;
} {
  const leen = Math.ceil(organizations / 2);
  return {
    leen: generateLeenSeed(leen, SCALE_CONNECTIONS_PER_ORGANIZATION),
    userhub: generateUserHubSeed(organizations - leen, SCALE_CONNECTIONS_PER_ORGANIZATION),
  };
}
