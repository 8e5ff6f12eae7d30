import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';

/** Base URLs of Leen's three regions, from the servers list of shared/contracts/leen.yaml. */
const LEEN_REGION_BASE_URLS = {
  us: 'https://api.leen.dev/v1',
  eu: 'https://api.eu-c1.leen.dev/v1',
  apac: 'https://api.ap-se2.leen.dev/v1',
} as const;

export const leenConfigSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      region: z.enum(['us', 'eu', 'apac']).default('us'),
      /** Overrides the region's base URL (the sandbox, a proxy). */
      baseUrl: z.url().optional(),
      apiKey: secretSchema(env),
      organizations: z
        .array(
          z
            .object({
              id: z.uuid({ message: 'must be a Leen organization UUID' }),
              displayName: z.string().min(1).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict()
    .transform((c) => ({ ...c, baseUrl: c.baseUrl ?? LEEN_REGION_BASE_URLS[c.region] }));

export type LeenConfig = z.output<ReturnType<typeof leenConfigSchema>>;
