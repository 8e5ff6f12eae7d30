import { z } from 'zod';

/**
 * Config fields shared by vendors whose organizations are named by the operator
 * (Outlit, ProjectManager): their APIs have no organization identifier, so the
 * operator picks a slug, and each slug may appear once.
 */
export const organizationSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug: lowercase letters, digits and "-", at most 63');

/** A non-empty list of configured organizations whose `id`s are unique. */
export const uniqueOrganizations = <T extends z.ZodType<{ id: string }>>(organization: T) =>
  z
    .array(organization)
    .min(1)
    .superRefine((organizations, ctx) => {
      const seen = new Set<string>();
      organizations.forEach((o, index) => {
        if (seen.has(o.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: 'duplicate organization id' });
        seen.add(o.id);
      });
    });
