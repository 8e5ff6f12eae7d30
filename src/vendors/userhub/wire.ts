import { z } from 'zod';

/**
 * UserHub's JSON, in UserHub's names, as shared/contracts/userhub.yaml defines
 * it. Only the fields Junction uses are checked strictly; the rest pass through.
 */

const Timestamp = z.string();

export const UserHubConnection = z.object({
  id: z.string(),
  uniqueId: z.string().optional(),
  displayName: z.string(),
  /** PENDING_SETUP | ACTIVE | BROKEN | DISABLED | ARCHIVED in the contract; read tolerantly (to-model.ts). */
  state: z.string(),
  stateReason: z.string().optional(),
  type: z.string(),
  providers: z.array(z.object({ type: z.string(), default: z.boolean().optional() })),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type UserHubConnection = z.infer<typeof UserHubConnection>;

export const UserHubAccountConnection = z.object({
  connection: UserHubConnection.nullish(),
  externalId: z.string(),
  adminUrl: z.string().optional(),
  // The contract imposes no enum on the account's state.
  state: z.string(),
  stateReason: z.string().optional(),
  displayName: z.string().optional(),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type UserHubAccountConnection = z.infer<typeof UserHubAccountConnection>;

export const UserHubOrganization = z.object({
  id: z.string(),
  /** ACTIVE | DISABLED | ARCHIVED | PENDING_DELETION in the contract; passed on as is, a new one reported. */
  state: z.string(),
  displayName: z.string().optional(),
  accountConnections: z.array(UserHubAccountConnection).optional(),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type UserHubOrganization = z.infer<typeof UserHubOrganization>;

/** The API error (`apiv1.Status`), UserHub's body for every non-2xx answer. */
export const UserHubStatus = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  param: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
