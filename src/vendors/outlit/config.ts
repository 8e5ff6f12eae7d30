import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';

/** Outlit's one server (shared/contracts/outlit.yaml `servers`). */
export const OUTLIT_BASE_URL = 'https://app.outlit.ai';

/**
 * An Outlit API key belongs to exactly one Outlit organization, and Outlit
 * has no organization identifier in its API; so each configured organization
 * is a slug chosen by the operator plus that organization's own key.
 */
export const outlitConfigSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      /** Overrides the contract's server (the sandbox, a proxy). */
      baseUrl: z.url().default(OUTLIT_BASE_URL),
      organizations: z
        .array(
          z
            .object({
              id: z
                .string()
                .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lowercase letters, digits and "-", at most 63'),
              displayName: z.string().min(1).optional(),
              apiKey: secretSchema(env).refine((key) => key.reveal().startsWith('ok_'), {
                message: 'must be an Outlit API key (it starts with "ok_")',
              }),
            })
            .strict(),
        )
        .min(1)
        .superRefine((organizations, ctx) => {
          const seen = new Set<string>();
          organizations.forEach((o, index) => {
            if (seen.has(o.id))
              ctx.addIssue({ code: 'custom', path: [index, 'id'], message: 'duplicate organization id' });
            seen.add(o.id);
          });
        }),
    })
    .strict();

export type OutlitConfig = z.output<ReturnType<typeof outlitConfigSchema>>;
