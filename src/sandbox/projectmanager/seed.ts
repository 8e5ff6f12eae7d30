import { SANDBOX_CREDENTIALS } from '../credentials.js';

/**
 * ProjectManager demo data: a catalogue of integration providers, and the
 * users (one bearer token each) whose workspaces have activated some of them.
 */

export interface PmSeedProvider {
  readonly id: string;
  readonly name: string;
  readonly shortId: string;
  readonly summary: string;
  readonly category: string;
  /** The provider's one integration. */
  readonly integration: { readonly id: string; readonly name: string; readonly shortId: string };
}

export interface PmSeedUser {
  readonly token: string;
  /** The workspace slug Junction's configuration names (ProjectManager itself names none in these routes). */
  readonly workspace: string;
  readonly workspaceName: string;
  /** Activated providers; `authenticated` once the user has authenticated the integration. */
  readonly connections: readonly { readonly providerId: string; readonly authenticated: boolean }[];
}

export const PM_PROVIDERS: readonly PmSeedProvider[] = [
  {
    id: '7d1e3c5a-2b4f-4e6a-9c8d-1f2e3a4b5c6d',
    name: 'Slack',
    shortId: 'slack',
    summary: 'Post project updates to Slack channels.',
    category: 'communication',
    integration: {
      id: '0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e',
      name: 'Slack Notifications',
      shortId: 'slack-notifications',
    },
  },
  {
    id: '2a6f0c1e-8b3d-4c5a-9e7f-1d2c3b4a5f60',
    name: 'Microsoft Teams',
    shortId: 'msteams',
    summary: 'Send task notifications to Teams channels.',
    category: 'communication',
    integration: {
      id: '6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f',
      name: 'Teams Notifications',
      shortId: 'msteams-notifications',
    },
  },
  {
    id: '5b7c9d1e-3f5a-4b7c-8d9e-0f1a2b3c4d5e',
    name: 'Google Drive',
    shortId: 'google-drive',
    summary: 'Attach Google Drive files to tasks.',
    category: 'files',
    integration: {
      id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      name: 'Google Drive Files',
      shortId: 'google-drive-files',
    },
  },
  {
    id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    name: 'Jira',
    shortId: 'jira',
    summary: 'Sync Jira issues with ProjectManager tasks.',
    category: 'development',
    integration: { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', name: 'Jira Sync', shortId: 'jira-sync' },
  },
  {
    id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    name: 'QuickBooks',
    shortId: 'quickbooks',
    summary: 'Send timesheets to QuickBooks.',
    category: 'accounting',
    integration: {
      id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
      name: 'QuickBooks Timesheets',
      shortId: 'quickbooks-timesheets',
    },
  },
];

const [SLACK, TEAMS, DRIVE, JIRA] = PM_PROVIDERS.map((p) => p.id) as [string, string, string, string];

export const PM_USERS: readonly PmSeedUser[] = [
  {
    token: SANDBOX_CREDENTIALS.projectmanager.acme,
    workspace: 'acme',
    workspaceName: 'Acme Corp',
    connections: [
      { providerId: SLACK, authenticated: true },
      { providerId: DRIVE, authenticated: false },
      { providerId: JIRA, authenticated: true },
    ],
  },
  {
    token: SANDBOX_CREDENTIALS.projectmanager.globex,
    workspace: 'globex',
    workspaceName: 'Globex',
    connections: [{ providerId: TEAMS, authenticated: true }],
  },
  {
    // A second Acme user, for forwarded-credential tests: only Slack, not yet authenticated.
    token: SANDBOX_CREDENTIALS.projectmanager.acmeSecondUser,
    workspace: 'acme',
    workspaceName: 'Acme Corp',
    connections: [{ providerId: SLACK, authenticated: false }],
  },
];
