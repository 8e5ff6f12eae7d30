import { z } from 'zod';

/**
 * ProjectManager's JSON, in its names, as shared/contracts/projectmanager.yaml
 * defines it. Every body is an AstroResult envelope; the contract marks none
 * of its fields required, so the adapter decides success (see `isSuccess`).
 */

const AstroError = z.object({
  technicalError: z.string().nullish(),
  additionalErrors: z.array(z.string()).nullish(),
  /** Keyed by field; the values' shape is not documented (usually a list of messages). */
  validationErrors: z.record(z.string(), z.unknown()).nullish(),
  message: z.string().nullish(),
});
type AstroError = z.infer<typeof AstroError>;

export const AstroResult = z.object({
  error: AstroError.nullish(),
  success: z.boolean().optional(),
  hasError: z.boolean().optional(),
  /** An HTTP status name in the docs ("OK"); a number in the vendor's TypeScript SDK. */
  statusCode: z.union([z.string(), z.number()]).optional(),
});
export type AstroResult = z.infer<typeof AstroResult>;

const PmIntegrationInstance = z.object({
  id: z.string().optional(),
  integrationShortId: z.string().nullish(),
  enabledBy: z.string().nullish(),
  createDate: z.string().optional(),
  modifyDate: z.string().optional(),
  projectId: z.string().nullish(),
  providerItemId: z.string().nullish(),
  providerItemName: z.string().nullish(),
});

const PmIntegration = z.object({
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  shortId: z.string().nullish(),
  isMultiInstance: z.boolean(),
  config: z.record(z.string(), z.unknown()).nullish(),
  licenseSkus: z.array(z.string()).nullish(),
  instances: z.array(PmIntegrationInstance).nullish(),
  enabled: z.boolean(),
  authenticated: z.boolean(),
  autoEnabled: z.boolean(),
});

export const PmIntegrationProvider = z.object({
  id: z.uuid(),
  name: z.string().nullish(),
  shortId: z.string().nullish(),
  summary: z.string().nullish(),
  description: z.string().nullish(),
  licenseSkus: z.array(z.string()).nullish(),
  categoryShortIds: z.array(z.string()).nullish(),
  activated: z.boolean(),
  authenticated: z.boolean(),
  integrations: z.array(PmIntegration).nullish(),
  authSetup: z
    .object({
      masterConnection: z.string().optional(),
      userConnection: z.string().optional(),
      masterConnectionSchema: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  createInWorkato: z.boolean(),
});
export type PmIntegrationProvider = z.infer<typeof PmIntegrationProvider>;

export const PmProviderListResult = AstroResult.extend({ data: z.array(PmIntegrationProvider).nullish() });
export type PmProviderListResult = z.infer<typeof PmProviderListResult>;

/** A call succeeded only when the envelope says so outright: a 200 can carry a failure. */
export const isSuccess = (r: AstroResult) => r.success === true && r.hasError !== true;

/**
 * The vendor's explanation of a failed envelope, for operators: the message,
 * additional errors and validation errors. `technicalError` is left out: the
 * vendor says it is not suitable for end users.
 */
export function describeAstroFailure(r: AstroResult | undefined): string {
  const e = r?.error;
  const parts: string[] = [];
  if (e?.message) parts.push(e.message);
  for (const extra of e?.additionalErrors ?? []) parts.push(extra);
  for (const [field, value] of Object.entries(e?.validationErrors ?? {})) {
    const messages = (Array.isArray(value) ? value : [value]).map((v) =>
      typeof v === 'string' ? v : JSON.stringify(v),
    );
    parts.push(`${field}: ${messages.join(', ')}`);
  }
  if (parts.length === 0) parts.push(`the call failed (statusCode ${String(r?.statusCode ?? 'unknown')})`);
  return parts.join('; ');
}
