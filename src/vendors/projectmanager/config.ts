import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';

/** ProjectManager's one server (shared/contracts/projectmanager.yaml `servers`). */
export const PROJECTMANAGER_BASE_URL = 'https://api.projectmanager.com';

/**
 * A ProjectManager bearer token reaches one workspace, and the API has no
 * workspace identifier of its own in these routes; so each configured
 * organization (a workspace) is a slug chosen by the operator plus its token.
 * A caller's own token, forwarded per request, replaces the configured one.
 */
export const projectManagerConfigSchema = (env: NodeJS.ProcessEnv) =>
  z
    .object({
      /** Overrides the contract's server (the sandbox, a proxy). */
      baseUrl: z.url().default(PROJECTMANAGER_BASE_URL),
      organizations: z
        .array(
          z
            .object({
              id: z
                .string()
                .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lowercase letters, digits and "-", at most 63'),
              displayName: z.string().min(1).optional(),
              token: secretSchema(env),
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

export type ProjectManagerConfig = z.output<ReturnType<typeof projectManagerConfigSchema>>;
