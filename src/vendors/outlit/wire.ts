import { z } from 'zod';

/** Outlit's JSON, in Outlit's names, as shared/contracts/outlit.yaml defines it. */

/** The contract's `ProviderId` enum: the only providers Junction sends to Outlit (requests stay strict). */
export const OUTLIT_PROVIDER_IDS = [
  'hubspot',
  'attio',
  'slack',
  'fireflies',
  'granola',
  'google-calendar',
  'google-mail',
  'posthog',
  'stripe',
  'supabase',
  'clerk',
  'pylon',
] as const;
export const OutlitProviderId = z.enum(OUTLIT_PROVIDER_IDS);
export type OutlitProviderId = z.infer<typeof OutlitProviderId>;

/**
 * Responses are read tolerantly: Outlit adds providers and statuses without
 * notice, so `id` and `status` are any string here, and to-model.ts keeps an
 * unknown one (reported once, UNKNOWN status) instead of failing the list.
 */
export const OutlitIntegration = z.object({
  id: z.string().min(1),
  name: z.string(),
  category: z.string(),
  /** `connected` | `not_connected` in the contract. */
  status: z.string(),
  connectionId: z.string().nullish(),
  lastDataReceivedAt: z.string().nullish(),
  /** Open-ended in the contract (examples: SUCCESS); FAILED marks a failed sync. */
  syncStatus: z.string().nullish(),
  errorMessage: z.string().nullish(),
});
export type OutlitIntegration = z.infer<typeof OutlitIntegration>;

export const OutlitIntegrationList = z.object({ items: z.array(OutlitIntegration) });

export const OutlitSync = z.object({
  model: z.string(),
  /** Open-ended in the contract (examples: SUCCESS, FAILED, PENDING). */
  status: z.string(),
  lastSyncedAt: z.string().nullish(),
  errorMessage: z.string().nullish(),
});
export type OutlitSync = z.infer<typeof OutlitSync>;

export const OutlitSyncStatus = z.object({
  provider: z.string(),
  name: z.string(),
  category: z.string(),
  status: z.string(),
  syncs: z.array(OutlitSync),
});
export type OutlitSyncStatus = z.infer<typeof OutlitSyncStatus>;

export const OutlitDisconnectResponse = z.object({ success: z.literal(true) });

/** 404 of POST /api/integrations/disconnect: the provider is valid but not connected. */
export const OutlitNotConnected = z.object({ success: z.literal(false), message: z.string() });

const OutlitValidationIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

/** 400/401/500 bodies. */
export const OutlitErrorResponse = z.looseObject({
  error: z.string(),
  details: z.array(OutlitValidationIssue).optional(),
});
