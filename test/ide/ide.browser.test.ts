import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { launchLoopbackChromium, type LoopbackBrowser } from '../helpers/browser.js';
import { startStack, type TestStack } from '../helpers/stack.js';

/**
 * A developer's first minutes with the IDE, in Debian's chromium with no
 * network but loopback: open /graphql, enter the demo key, run README's
 * dashboard query, read the answer off the page. Leaves a screenshot in
 * test-artifacts/ide.png.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOT = join(ROOT, 'test-artifacts', 'ide.png');

/** README's dashboard example, as a reader would copy it. */
function readmeDashboardQuery(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const dashboard = blocks.find((block) => /dashboard/i.test(block) && /\borganizations\b/.test(block));
  if (!dashboard) throw new Error('README has no GraphQL example of the dashboard query');
  return dashboard;
}

/** What GraphiQL's editors hold; Monaco renders only the visible lines, so long answers are read from its model. */
const editorText = (name: 'operation.graphql' | 'response.json') =>
  `(() => {
    const models = globalThis.__MONACO?.editor.getModels() ?? [];
    return models.find((m) => m.uri.path.endsWith('${name}'))?.getValue() ?? null;
  })()`;

/** Pastes an operation into GraphiQL's editor (as a reader copying it would) and runs it with the ▶ button. */
async function pasteAndRun(page: Page, query: string): Promise<void> {
  await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(query)})`);
  await page.locator('.graphiql-query-editor .monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await expect.poll(() => page.evaluate<string | null>(editorText('operation.graphql'))).toBe(query);
  // GraphiQL takes in an edit 100 ms later (operation name, saved query); running before that sends the old name.
  await expect.poll(() => page.evaluate(() => localStorage.getItem('graphiql:query'))).toBe(query);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && sentQuery(r.request().postData()) === query,
  );
  await page.getByRole('button', { name: /Execute query/ }).click();
  expect((await answered).status()).toBe(200);
  await expect
    .poll(() => page.evaluate<string | null>(editorText('response.json')), { timeout: 30_000 })
    .toMatch(/"data"|"errors"/);
}

const sentQuery = (body: string | null) => {
  try {
    return (JSON.parse(body ?? '') as { query?: unknown }).query;
  } catch {
    return undefined;
  }
};

/** The answer in GraphiQL's response pane, parsed. */
async function shownResponse(page: Page): Promise<unknown> {
  return JSON.parse((await page.evaluate<string | null>(editorText('response.json'))) ?? 'null');
}

async function enterKey(page: Page, apiKey: string): Promise<Response> {
  await page.locator('input[name="apiKey"]').fill(apiKey);
  const introspected = page.waitForResponse(
    (r) => r.request().method() === 'POST' && /IntrospectionQuery/.test(r.request().postData() ?? ''),
  );
  await page.getByRole('button', { name: 'Use key' }).click();
  return introspected;
}

describe('the IDE in a browser', () => {
  let stack: TestStack;
  let browser: LoopbackBrowser;
  beforeAll(async () => {
    // Errors the gateway logs show up in the test's output.
    stack = await startStack({ start: { logger: createLogger('error') } });
    browser = await launchLoopbackChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('runs README dashboard query with the key entered in the page, offline', { timeout: 120_000 }, async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));

    const opened = await page.goto(stack.gateway.url);
    expect(opened?.status()).toBe(200);
    await page.locator('.graphiql-container').waitFor();
    // Without a key the page works, and says why its queries are refused.
    await expect.poll(() => page.locator('.junction-keybar-status').textContent()).toContain('No key');

    expect((await enterKey(page, stack.tenant.apiKey)).status()).toBe(200);

    // Pasted into the editor, as a reader copying it from README would.
    const query = readmeDashboardQuery();
    await pasteAndRun(page, query);
    const shown = (await shownResponse(page)) as {
      data?: { organizations: { vendor: string; connections: { provider: { slug: string } }[] }[] };
      errors?: unknown;
    };
    expect(shown.errors).toBeUndefined();
    // The page shows what the gateway answers any client for the same query.
    const direct = await stack.gql(query);
    expect(shown).toEqual(direct.body);
    const vendors = new Set(shown.data?.organizations.map((o) => o.vendor));
    expect(vendors).toEqual(new Set(['OUTLIT', 'SUPERVITY', 'USERHUB', 'LEEN', 'PROJECTMANAGER']));
    expect(shown.data?.organizations.flatMap((o) => o.connections).length).toBeGreaterThan(0);
    // And the visible part of the response pane says so to the person looking.
    await expect.poll(() => page.locator('.graphiql-response .view-lines').innerText()).toContain('"organizations"');

    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // Nothing left the machine, nothing was refused by the page's CSP, nothing failed to load.
    expect(browser.blocked).toEqual([]);
    expect(problems).toEqual([]);
    const origin = new URL(stack.gateway.url).origin;
    const fetched = browser.requests.map((r) => r.url()).filter((url) => !url.startsWith('data:'));
    expect(fetched.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    // Monaco's workers came from the gateway too.
    expect(fetched).toEqual(expect.arrayContaining([`${origin}/ide/graphql.worker.js`, `${origin}/ide/main.js`]));

    // The key went in the Authorization header of the GraphQL calls, never in a URL, and stays in this tab.
    const graphqlCalls = browser.requests.filter((r) => r.method() === 'POST' && r.url() === stack.gateway.url);
    expect(graphqlCalls.length).toBeGreaterThanOrEqual(2);
    const last = graphqlCalls.at(-1);
    expect(await last?.headerValue('authorization')).toBe(`Bearer ${stack.tenant.apiKey}`);
    expect(fetched.filter((url) => url.includes(stack.tenant.apiKey))).toEqual([]);
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('junction.apiKey'),
      local: localStorage.getItem('junction.apiKey'),
    }));
    expect(stored).toEqual({ session: stack.tenant.apiKey, local: null });
    await page.close();
  });

  it(
    'runs operations in production when enabled there, though without introspection it knows no schema',
    { timeout: 120_000 },
    async () => {
      const production = await startStack({ config: { production: true, ide: true } });
      const page = await browser.context.newPage();
      try {
        expect((await page.goto(production.gateway.url))?.status()).toBe(200);
        await page.locator('.graphiql-container').waitFor();
        // Introspection is off in production: GraphiQL's schema request is refused, the IDE stays usable.
        expect((await enterKey(page, production.tenant.apiKey)).status()).toBe(400);
        const query = 'query Vendors {\n  organizations {\n    vendor\n  }\n}\n';
        await pasteAndRun(page, query);
        expect(await shownResponse(page)).toEqual((await production.gql(query)).body);
        expect(browser.blocked).toEqual([]);
      } finally {
        await page.close();
        await production.close();
      }
    },
  );
});
