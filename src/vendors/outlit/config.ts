import { z } from 'zod';
import { secretSchema } from '../../config/secret.js';
import { organizationSlug, uniqueOrganizations } from '../config-fields.js';

/** Outlit's one server (shared/contracts/outlit.yaml `servers`). */
const OUTLIT_BASE_URL = 'https://app.outlit.ai';

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
      organizations: uniqueOrganizations(
        z
          .object({
            id: organizationSlug,
            displayName: z.string().min(1).optional(),
            apiKey: secretSchema(env).refine((key) => key.reveal().startsWith('ok_'), {
              message: 'must be an Outlit API key (it starts with "ok_")',
            }),
          })
          .strict(),
      ),
    })
    .strict();

export type OutlitConfig = z.output<ReturnType<typeof outlitConfigSchema>>;
