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
} as const;
