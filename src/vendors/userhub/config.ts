import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';

/** The Admin API's base URL, from the servers list of shared/contracts/userhub.yaml. */
const USERHUB_BASE_URL = 'https://api.userhub.com';

export const userhubConfigSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      baseUrl: z.url().default(USERHUB_BASE_URL),
      /** The admin API key, sent as a bearer token. */
      apiKey: secretSchema(env),
      organizations: z
        .array(
          z
            .object({
              id: z.string().regex(/^org_[A-Za-z0-9]{1,64}$/, { message: 'must be a UserHub organization id (org_…)' }),
              displayName: z.string().min(1).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict();

export type UserHubConfig = z.output<ReturnType<typeof userhubConfigSchema>>;
