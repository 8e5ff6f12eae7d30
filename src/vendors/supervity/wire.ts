import { z } from 'zod';

/** Supervity's JSON, in Supervity's names, as shared/contracts/workflows.yaml defines it. */

export const INTEGRATION_SLUG = /^[a-z0-9_-]+$/;

export const SupervityConnectedAccount = z.object({
  /**
   * Not in the documented shape: the connected account's UUID, which
   * PATCH /accounts/{accountId}/sharing needs. Accepted when present (the
   * contract allows extra properties); see README "Supervity account ids".
   */
  id: z.uuid().optional(),
  accountIdentifier: z.string(),
  integrationSlug: z.string().regex(INTEGRATION_SLUG),
  baseUrl: z.string().nullable(),
  sharedTeamKeys: z.array(z.string()),
});
export type SupervityConnectedAccount = z.infer<typeof SupervityConnectedAccount>;

export const SupervityUserAction = z.object({
  action: z.object({
    name: z.string(),
    displayName: z.string(),
    description: z.string().optional(),
    documentation: z.array(z.string()).optional(),
    notes: z.string().optional(),
  }),
  group: z.object({
    name: z.string().regex(INTEGRATION_SLUG),
    displayName: z.string(),
    description: z.string().optional(),
    notes: z.string().optional(),
  }),
});
export type SupervityUserAction = z.infer<typeof SupervityUserAction>;

export const SupervityMyIntegrations = z.object({
  integrations: z.array(SupervityConnectedAccount),
  userActions: z.array(SupervityUserAction),
});
export type SupervityMyIntegrations = z.infer<typeof SupervityMyIntegrations>;

export const SupervityDisconnectResponse = z.object({
  success: z.literal(true),
  message: z.string(),
  count: z.number().optional(),
});

/**
 * The error body. The contract documents none; this is the platform's success
 * envelope with `success: false`, the most plausible shape (assumed, README).
 */
export const SupervityErrorBody = z.object({
  success: z.literal(false),
  message: z.string(),
  count: z.number().optional(),
});
