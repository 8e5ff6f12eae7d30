import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';

/**
 * Supervity (the workflows platform, shared/contracts/workflows.yaml). The
 * contract's host is a placeholder, so `baseUrl` is required. Each organization
 * is an `x-active-org` value the token's user belongs to.
 */
export const supervityConfigSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      baseUrl: z.url(),
      /** The JWT Junction sends when the caller forwards none of its own. */
      token: secretSchema(env),
      organizations: z
        .array(
          z
            .object({
              // Sent as a header value: printable, no separators that could split or fold the header.
              id: z
                .string()
                .regex(/^[\w.:-]{1,128}$/, { message: 'must be an x-active-org value (letters, digits, _ . : -)' }),
              displayName: z.string().min(1).optional(),
            })
            .strict(),
        )
        .min(1),
    })
    .strict();

export type SupervityConfig = z.output<ReturnType<typeof supervityConfigSchema>>;
