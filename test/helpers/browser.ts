import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Request } from 'playwright-core';

/**
 * Debian's chromium, headless, on a fresh profile, with the network closed to
 * everything but loopback: requests elsewhere are aborted and recorded, so a
 * test can assert the page never needed them.
 */

export const CHROMIUM = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LoopbackBrowser {
  readonly context: BrowserContext;
  /** Requests to anything but 127.0.0.1/localhost/[::1], each aborted before it left the browser. */
  readonly blocked: readonly string[];
  /** Every request the pages and their workers made, in order. */
  readonly requests: readonly Request[];
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface LaunchOptions {
  /**
   * Abort and record requests leaving loopback (default). Off for CORS tests: while Playwright intercepts,
   * it answers every CORS preflight itself, allowing all; the resolver rules still keep the browser on loopback.
   */
  readonly intercept?: boolean;
}

export async function launchLoopbackChromium({ intercept = true }: LaunchOptions = {}): Promise<LoopbackBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'junction-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // Belt and braces: a request that escaped interception would still resolve no name but localhost.
    args: [...FLAGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'],
    viewport: { width: 1400, height: 900 },
    // Tests paste as a user does (into a clipboard of this profile only).
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const blocked: string[] = [];
  const requests: Request[] = [];
  context.on('request', (request) => requests.push(request));
  if (intercept)
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (
        (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:') &&
        !LOOPBACK.has(url.hostname)
      ) {
        blocked.push(url.href);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
  return {
    context,
    blocked,
    requests,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
