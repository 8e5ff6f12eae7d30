import { SANDBOX_CREDENTIALS } from '../credentials.js';

/** Outlit demo data: two organizations (one API key each) and the state of each of the twelve providers there. */

export interface OutlitSeedSync {
  readonly model: string;
  readonly status: 'SUCCESS' | 'FAILED' | 'PENDING';
  readonly errorMessage?: string;
}

export interface OutlitSeedConnection {
  readonly provider: string;
  readonly connectionId: string;
  readonly syncs: readonly OutlitSeedSync[];
}

export interface OutlitSeedOrganization {
  /** The organization's slug in Junction's configuration (Outlit itself names none). */
  readonly id: string;
  readonly name: string;
  readonly apiKey: string;
  /** Connected providers; every other provider is listed as not_connected. */
  readonly connections: readonly OutlitSeedConnection[];
}

/** The contract's twelve providers, with the names and categories Outlit lists them under. */
export const OUTLIT_CATALOGUE: readonly { readonly id: string; readonly name: string; readonly category: string }[] = [
  { id: 'hubspot', name: 'HubSpot', category: 'crm' },
  { id: 'attio', name: 'Attio', category: 'crm' },
  { id: 'slack', name: 'Slack', category: 'communication' },
  { id: 'fireflies', name: 'Fireflies', category: 'meetings' },
  { id: 'granola', name: 'Granola', category: 'meetings' },
  { id: 'google-calendar', name: 'Google Calendar', category: 'calendar' },
  { id: 'google-mail', name: 'Gmail', category: 'email' },
  { id: 'posthog', name: 'PostHog', category: 'analytics' },
  { id: 'stripe', name: 'Stripe', category: 'billing' },
  { id: 'supabase', name: 'Supabase', category: 'database' },
  { id: 'clerk', name: 'Clerk', category: 'auth' },
  { id: 'pylon', name: 'Pylon', category: 'support' },
];

export const OUTLIT_SEED: readonly OutlitSeedOrganization[] = [
  {
    id: 'acme',
    name: 'Acme Corp',
    apiKey: SANDBOX_CREDENTIALS.outlit.acme,
    connections: [
      {
        provider: 'stripe',
        connectionId: 'stripe-org_acme',
        syncs: [
          { model: 'customers', status: 'SUCCESS' },
          { model: 'invoices', status: 'FAILED', errorMessage: 'Stripe API rate limit exceeded' },
        ],
      },
      {
        provider: 'hubspot',
        connectionId: 'hubspot-org_acme',
        syncs: [
          { model: 'contacts', status: 'SUCCESS' },
          { model: 'deals', status: 'SUCCESS' },
        ],
      },
      { provider: 'slack', connectionId: 'slack-org_acme', syncs: [{ model: 'messages', status: 'PENDING' }] },
    ],
  },
  {
    id: 'globex',
    name: 'Globex',
    apiKey: SANDBOX_CREDENTIALS.outlit.globex,
    connections: [
      { provider: 'posthog', connectionId: 'posthog-org_globex', syncs: [{ model: 'events', status: 'SUCCESS' }] },
    ],
  },
];
