import { z } from 'zod';
import { leenConfigSchema } from './leen/config.js';
import { supervityConfigSchema } from './supervity/config.js';
import { userhubConfigSchema } from './userhub/config.js';
import { outlitConfigSchema } from './outlit/config.js';
import { projectManagerConfigSchema } from './projectmanager/config.js';

/**
 * The per-tenant configuration block of each vendor, keyed by the name used in
 * config files. Adding a vendor adds one line here (and one in registry.ts).
 */
export const vendorConfigSchemas = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      outlit: outlitConfigSchema(env).optional(),
      supervity: supervityConfigSchema(env).optional(),
      userhub: userhubConfigSchema(env).optional(),
      leen: leenConfigSchema(env).optional(),
      projectmanager: projectManagerConfigSchema(env).optional(),
    })
    .strict();

export type VendorConfigs = z.output<ReturnType<typeof vendorConfigSchemas>>;
