/**
 * The credentials the sandbox's simulators accept. They are demo values for
 * loopback simulators, not secrets; the demo config (src/sandbox/demo-config.ts)
 * hands them to the gateway.
 */
export const SANDBOX_CREDENTIALS = {
  leen: { apiKey: 'leen_sandbox_key_0f3a9c' },
  supervity: {
    // JWT-shaped demo tokens: the service account Junction is configured with, and a user's own (forwarded) token.
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqdW5jdGlvbi1zYW5kYm94In0.c2FuZGJveC1zZXJ2aWNl',
    userToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lLmRvZUBhY21lLmNvbSJ9.c2FuZGJveC11c2Vy',
  },
  userhub: { apiKey: 'uh_admin_sandbox_7c41e2' },
  /** One Outlit API key per organization. */
  outlit: { acme: 'ok_sandbox_acme_5d1c7e', globex: 'ok_sandbox_globex_9a04b2' },
  /** One ProjectManager token per workspace user; `acmeSecondUser` is another Acme user (forwarded-token tests). */
  projectmanager: {
    acme: 'pm_sandbox_acme_7c2e41',
    globex: 'pm_sandbox_globex_3b9d05',
    acmeSecondUser: 'pm_sandbox_acme_user2_e80f16',
  },
} as const;
