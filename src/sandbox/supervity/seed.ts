/**
 * Supervity demo data: two active organizations (x-active-org values), their
 * connected accounts and the actions connected through them. One Globex account
 * has no `id`, exactly as the documented /me shape (see README "Supervity account ids").
 */
export interface SupervitySeedAction {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly documentation: readonly string[];
}

export interface SupervitySeedIntegration {
  readonly slug: string;
  readonly displayName: string;
  readonly description: string;
  readonly notes: string;
  readonly actions: readonly SupervitySeedAction[];
}

export interface SupervitySeedAccount {
  /** The connected account's UUID; omitted for accounts that show the documented shape only. */
  readonly id?: string;
  readonly accountIdentifier: string;
  readonly integrationSlug: string;
  readonly baseUrl: string | null;
  readonly sharedTeamKeys: readonly string[];
}

export interface SupervitySeedOrganization {
  readonly id: string;
  readonly name: string;
  readonly accounts: readonly SupervitySeedAccount[];
  /** The integrations whose actions this organization's user has connected. */
  readonly integrations: readonly SupervitySeedIntegration[];
}

const GOOGLE_WORKSPACE: SupervitySeedIntegration = {
  slug: 'google-workspace',
  displayName: 'Google Workspace',
  description: 'Gmail, Calendar and Drive for your organization.',
  notes: '',
  actions: [
    {
      name: 'send-email',
      displayName: 'Send Email',
      description: 'Send an email from the connected Google Workspace account.',
      documentation: ['https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send'],
    },
    {
      name: 'create-event',
      displayName: 'Create Calendar Event',
      description: 'Create an event in the primary calendar.',
      documentation: ['https://developers.google.com/calendar/api/v3/reference/events/insert'],
    },
    {
      name: 'upload-file',
      displayName: 'Upload File',
      description: 'Upload a file to Drive.',
      documentation: [],
    },
  ],
};

const GITHUB: SupervitySeedIntegration = {
  slug: 'github',
  displayName: 'GitHub',
  description: 'Repositories, issues and pull requests.',
  notes: 'Supports GitHub Enterprise via baseUrl.',
  actions: [
    {
      name: 'create-issue',
      displayName: 'Create Issue',
      description: 'Open an issue in a repository.',
      documentation: ['https://docs.github.com/en/rest/issues/issues#create-an-issue'],
    },
  ],
};

const SALESFORCE: SupervitySeedIntegration = {
  slug: 'salesforce',
  displayName: 'Salesforce',
  description: 'CRM records.',
  notes: '',
  actions: [
    { name: 'create-lead', displayName: 'Create Lead', description: 'Create a lead.', documentation: [] },
    {
      name: 'update-opportunity',
      displayName: 'Update Opportunity',
      description: 'Update an opportunity.',
      documentation: [],
    },
  ],
};

const MICROSOFT_365: SupervitySeedIntegration = {
  slug: 'microsoft-365',
  displayName: 'Microsoft 365',
  description: 'Outlook and OneDrive.',
  notes: '',
  actions: [{ name: 'send-mail', displayName: 'Send Mail', description: 'Send an Outlook mail.', documentation: [] }],
};

export const SUPERVITY_SEED: readonly SupervitySeedOrganization[] = [
  {
    id: 'org_acme',
    name: 'Acme Corp',
    accounts: [
      {
        id: '6f1c2a9e-4b7d-4c1e-9a53-2f8d0c7b5e11',
        accountIdentifier: 'jane.doe@acme.com',
        integrationSlug: 'google-workspace',
        baseUrl: null,
        sharedTeamKeys: ['sales', 'support'],
      },
      {
        id: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
        accountIdentifier: 'acme-eng',
        integrationSlug: 'github',
        baseUrl: 'https://github.acme.internal/api/v3',
        sharedTeamKeys: [],
      },
    ],
    integrations: [GOOGLE_WORKSPACE, GITHUB],
  },
  {
    id: 'org_globex',
    name: 'Globex',
    accounts: [
      {
        id: 'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d',
        accountIdentifier: 'ops@globex.com',
        integrationSlug: 'salesforce',
        baseUrl: null,
        sharedTeamKeys: ['revops'],
      },
      {
        accountIdentifier: 'it@globex.com',
        integrationSlug: 'microsoft-365',
        baseUrl: null,
        sharedTeamKeys: [],
      },
    ],
    integrations: [SALESFORCE, MICROSOFT_365],
  },
];
