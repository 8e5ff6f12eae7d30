import { z } from 'zod';
import { compiledWire } from '../compiled-wire.js';

/** Leen's JSON, in Leen's names, as shared/contracts/leen.yaml defines it. */

const HealthDetail = z.object({
  data_export_type: z.string().nullish(),
  endpoint: z.string(),
});

const LeenHealth = z.object({
  name: z.string(),
  status: z.string(),
  description: z.string(),
  resolution_owner: z.string(),
  details: z.array(HealthDetail).nullish(),
});

const LeenConnectionSchema = z.object({
  id: z.uuid(),
  vendor: z.string(),
  is_active: z.boolean(),
  refresh_interval_secs: z.number().int(),
  timeout_secs: z.number().int(),
  organization_id: z.uuid(),
  oauth2_authorize_url: z.string().nullish(),
  identifier: z.string().nullish(),
  /** PENDING | ACTIVE | PAUSED | DELETED in the contract; read tolerantly (to-model.ts maps an unknown one to UNKNOWN). */
  state: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  health: LeenHealth,
});
export const LeenConnection = compiledWire(LeenConnectionSchema);
export type LeenConnection = z.infer<typeof LeenConnection>;

export const LeenConnectionWithOrganization = compiledWire(
  LeenConnectionSchema.extend({ organization_name: z.string().optional() }),
);

/**
 * The list envelope is assumed by the contract (x-assumed: a bare array). Until
 * confirmed against a live call, both a bare array and the usual wrappers are
 * accepted and normalised to an array.
 */
export const LeenConnectionList = compiledWire(
  z
    .union([
      z.array(LeenConnectionSchema),
      z.object({ items: z.array(LeenConnectionSchema) }),
      z.object({ data: z.array(LeenConnectionSchema) }),
      z.object({ connections: z.array(LeenConnectionSchema) }),
    ])
    .transform((body) =>
      Array.isArray(body) ? body : 'items' in body ? body.items : 'data' in body ? body.data : body.connections,
    ),
);

/** FastAPI's validation error body (422). */
export const LeenValidationError = z.object({
  detail: z.array(
    z.object({
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      type: z.string(),
    }),
  ),
});
