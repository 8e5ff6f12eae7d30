import { ConfigError, loadConfig, type Config } from './config/config.js';
import { startGateway, type RunningGateway } from './app.js';
import { nodeSupportWarning } from './node-support.js';
import { createLogger } from './observability/logger.js';
import { ideEnabled } from './server/ide/ide-routes.js';
import type { RunningSandbox } from './sandbox/sandbox.js';

/**
 * The gateway process (src/main.ts runs it). With tenants configured (JUNCTION_CONFIG), starts the gateway
 * alone. Without, starts the vendor sandbox and a gateway pointed at it, with a
 * demo tenant whose API key is JUNCTION_DEMO_KEY, or the one kept in the file
 * JUNCTION_DEMO_KEY_FILE names (made on first use; `npm run dev` sets it, so a
 * reload keeps the key), or a random one; a key not from JUNCTION_DEMO_KEY is printed.
 */

const SAMPLE_QUERY = `query Organizations { organizations { displayName vendor connections { id status provider { displayName } } } }`;

export async function runGatewayProcess(options: {
  /** Called once the gateway serves: start-up's allocations are over. */
  readonly onStarted?: () => void;
}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const outdatedNode = nodeSupportWarning();
  if (outdatedNode) {
    logger.warn({ nodeVersion: process.version }, outdatedNode);
    // The log level may be silent or the log shipped elsewhere: the person starting it should see this too.
    process.stderr.write(`Warning: ${outdatedNode}\n`);
  }
  let sandbox: RunningSandbox | null = null;
  let demoKey: string | null = null;
  // Loaded only for the demo: a gateway with tenants configured never holds the vendor simulators' code.
  const demo =
    config.tenants.length === 0
      ? await Promise.all([
          import('./sandbox/demo-key.js'),
          import('./sandbox/demo-config.js'),
          import('./sandbox/sandbox.js'),
        ])
      : null;
  if (demo) {
    const [{ persistedDemoKey, randomDemoKey }, { demoTenantConfig }, { startSandbox }] = demo;
    sandbox = await startSandbox();
    const keyFile = process.env.JUNCTION_DEMO_KEY_FILE;
    demoKey = process.env.JUNCTION_DEMO_KEY || (keyFile ? persistedDemoKey(keyFile) : randomDemoKey('jk_demo'));
    // The demo also answers browser frontends on any loopback origin (a dev server on localhost:5173 or the like).
    config = loadConfig(process.env, {
      tenants: [demoTenantConfig(sandbox, 'demo', demoKey)],
      cors: { allowLoopbackOrigins: true },
      // The connection index kept fresh in the background, so a newcomer sees change events.
      sync: { enabled: true },
      // Webhooks on, to a receiver on this machine only (http, loopback): the sandbox's events are no secret.
      webhooks: { enabled: true, allowHttp: true, allowedTargetCidrs: ['127.0.0.0/8', '::1/128'] },
    });
  }

  let gateway: RunningGateway | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    // A second signal (an impatient Ctrl-C) cuts the drain short; the grace for in-flight requests stays.
    if (stopping) return void gateway?.endDrain();
    stopping = true;
    // Nothing serves yet: nothing to drain or finish.
    if (!gateway) process.exit(0);
    const { shutdownGraceMs: graceMs, shutdownDrainDelayMs: drainDelayMs } = config;
    logger.info(
      { signal, drainDelayMs, graceMs },
      'shutting down: unready while draining, then no new connections, finishing in-flight requests',
    );
    // A bound on the whole shutdown: should closing itself hang, exit anyway (non-zero, so it shows).
    // Orchestrators must allow at least this long (Kubernetes: terminationGracePeriodSeconds, see deploy/k8s).
    setTimeout(
      () => {
        logger.error({ drainDelayMs, graceMs }, 'shutdown did not finish in time');
        process.exit(1);
      },
      drainDelayMs + graceMs + 5_000,
    ).unref();
    await gateway.close(graceMs);
    await sandbox?.close();
    logger.info('shut down cleanly');
    process.exit(0);
  };
  // Before anything is announced: a signal arriving between "ready" and a later registration would kill
  // the process outright (the default action), skipping the drain.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  gateway = await startGateway(config, { logger });
  options.onStarted?.();
  logger.info({ url: gateway.url, sandbox: sandbox !== null }, 'gateway ready');
  if (sandbox && demoKey && demo) {
    const [{ demoRoleKeys }] = demo;
    // Printed for the person who ran `npm start`; it is the sandbox demo key, not a production credential.
    process.stdout.write(
      [
        '',
        `Junction is running on the built-in vendor sandbox: ${gateway.url}`,
        `Demo API key: ${process.env.JUNCTION_DEMO_KEY ? '(from JUNCTION_DEMO_KEY)' : demoKey}   (role admin: every scope)`,
        'A key per role (README "Roles and scopes"):',
        ...demoRoleKeys(demoKey)
          .filter(({ role }) => role !== 'admin')
          .map(({ role, key, scopes }) => `  ${role.padEnd(13)} ${key}   (${scopes.join(', ')})`),
        'Try:',
        `  curl -s ${gateway.url} -H 'content-type: application/json' -H "authorization: Bearer ${process.env.JUNCTION_DEMO_KEY ? '$JUNCTION_DEMO_KEY' : demoKey}" \\`,
        `    -d '${JSON.stringify({ query: SAMPLE_QUERY })}'`,
        ...(ideEnabled(config) ? [`Or open ${gateway.url} in a browser: GraphiQL, where you paste the demo key.`] : []),
        '',
      ].join('\n'),
    );
  }
}
