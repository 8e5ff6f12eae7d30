import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';
import { organizationSlug, uniqueOrganizations } from '../config-fields.js';

/** ProjectManager's one server (shared/contracts/projectmanager.yaml `servers`). */
const PROJECTMANAGER_BASE_URL = 'https://api.projectmanager.com';

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
      organizations: uniqueOrganizations(
        z
          .object({
            id: organizationSlug,
            displayName: z.string().min(1).optional(),
            token: secretSchema(env),
          })
          .strict(),
      ),
    })
    .strict();

export type ProjectManagerConfig = z.output<ReturnType<typeof projectManagerConfigSchema>>;
