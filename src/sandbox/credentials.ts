/**
 * The credentials the sandbox's simulators accept. They are demo values for
 * loopback simulators, not secrets; the demo config (src/sandbox/demo-config.ts)
 * hands them to the gateway.
 */
export const SANDBOX_CREDENTIALS = {
  leen: { apiKey: 'leen_sandbox_key_0f3a9c' },
} as const;
