import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isControlUser } from '../../domain/control-group';
import { eventually } from '../helpers/eventually';
import { call } from '../helpers/stack';
import { screenshot, signIn, startConsoleHarness, type ConsoleHarness } from './console-harness';

/** A fixed-offset zone where it is now early afternoon, so the example's quiet hours (22:00-08:00) never defer. */
function daytimeZone(): string {
  const offset = (((13 - new Date().getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 12 ? offset - 24 : offset;
  return hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

/**
 * The console's shell and journeys pages in Chromium against the real stack (issue 17, items 1 and 2): the
 * abandoned-cart example, deployed through the API with its waits shortened to seconds, after a few users ran
 * through it; its graph's figures must be the report API's.
 */
describe('console: key entry and the journeys pages', () => {
  let harness: ConsoleHarness;
  const definition = parse(readFileSync(join(__dirname, '../../examples/abandoned-cart.yaml'), 'utf8'));
  definition.nodes['wait-checkout'].within = 'PT2S';
  definition.nodes['wait-1d'] = { type: 'delay', duration: 'PT1S', next: 'last-reminder' };
  definition.settings.conversionWindow = 'PT2S';
  const users = Array.from({ length: 30 }, (_, i) => `shopper-${i}`)
    .filter((userId) => !isControlUser('abandoned-cart', userId, 5))
    .slice(0, 8);

  beforeAll(async () => {
    harness = await startConsoleHarness({ reports: { idleMs: 300, experimentCheckMs: 500 } });
    const { stack } = harness;
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions/1/publish', {})).status).toBe(200);
    // Two more journeys for the list: a draft, and an archived one that stays hidden until asked for.
    const welcome = {
      id: 'welcome-series',
      name: 'Welcome series',
      labels: ['onboarding'],
      entry: { type: 'api' },
      nodes: { greet: { type: 'message', channel: 'email', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { greet: { subject: 'Welcome', body: 'Hello' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', welcome)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys', { ...welcome, id: 'old-promo', name: 'Old promo', labels: ['retail'] })).status).toBe(
      201,
    );
    expect((await call(stack, 'POST', '/v1/journeys/old-promo/archive')).status).toBe(200);

    for (const [index, userId] of users.entries()) {
      // One user without a push token: the discount push is unreachable and the email takes over.
      await stack.profiles.put({
        userId,
        email: `${userId}@example.com`,
        timezone: daytimeZone(),
        ...(index === 3 ? {} : { pushTokens: [`token-${userId}`] }),
        attributes: { firstName: 'Ada' },
      });
      const entered = await call(stack, 'POST', '/v1/events', {
        userId,
        name: 'cart_updated',
        properties: { items: 2, cartId: `c-${index}`, cartUrl: `https://shop.example.com/cart/c-${index}` },
      });
      expect(entered.body.entries).toEqual([expect.objectContaining({ result: 'started' })]);
      // Two check out in time, one buys, each right after entering (the waits are seconds long, and a loaded
      // machine may take longer than that to enter the others): the rest go through the A/B offer and the reminder.
      const reaction =
        index < 2
          ? { name: 'checkout_started', properties: { cartId: `c-${index}` } }
          : index === 2
            ? { name: 'order_completed', properties: { orderId: 'o-2' } }
            : undefined;
      if (reaction) expect((await call(stack, 'POST', '/v1/events', { userId, ...reaction })).body.signalled).toBe(1);
    }
    // Everyone done, and the report has counted it.
    await eventually(async () => {
      const report = await call(stack, 'GET', '/v1/journeys/abandoned-cart/versions/1/report');
      expect(report.body.summary).toMatchObject({ entered: users.length, inJourneyNow: 0 });
      expect(report.body.nodes.find((node: { nodeId: string }) => node.nodeId === 'last-reminder').entered).toBe(users.length - 3);
    }, 45_000);
    // A draft of version 2: a What change and a structural one.
    const next = structuredClone(definition);
    next.content['last-reminder'].subject = 'Last call: your cart expires soon';
    next.nodes['wait-1d'] = { type: 'delay', duration: 'P2D', next: 'last-reminder' };
    expect((await call(stack, 'POST', '/v1/journeys/abandoned-cart/versions', { definition: next })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('refuses an unknown key with the API problem, keeps a good one for the session, forgets it on request', async () => {
    const { page } = harness;
    await page.goto(`${harness.consoleUrl}#/journeys`);
    await page.getByLabel('API key').fill('jk_nope');
    await page.getByRole('button', { name: 'Open console' }).click();
    await page.getByRole('alert').getByText('the API key is invalid or revoked').waitFor();
    await screenshot(page, 'key-entry');

    const reader = await call(harness.stack, 'POST', '/v1/api-keys', { name: 'watcher', scopes: ['read'] });
    await signIn(harness, reader.body.key);
    await page.getByText('watcher').waitFor();
    expect(await page.locator('.key-state').textContent()).toContain('(read)');
    // Kept for the browser session: a reload asks for nothing.
    await page.reload();
    await page.getByRole('button', { name: 'Forget key' }).waitFor();
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([reader.body.key]);

    await page.getByRole('button', { name: 'Forget key' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('lists the journeys with entry, versions, entered today and conversion; filters; archived only when asked', async () => {
    const { page, stack } = harness;
    // The unknown key's 401 above was logged by the browser on purpose; from here on nothing may fail.
    harness.pageErrors.length = 0;
    await signIn(harness);
    const row = page.getByRole('row').filter({ hasText: 'Abandoned cart recovery' });
    await row.waitFor();
    const report = (await call(stack, 'GET', '/v1/journeys/abandoned-cart/report?bucket=day')).body;
    const today = report.trend.find((entry: { start: string }) => entry.start === new Date().toISOString().slice(0, 10));
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toEqual([
      'Abandoned cart recoveryabandoned-cart',
      'retail',
      'Event',
      'v1 runningv2 draft',
      String(today.entered),
      `${report.summary.conversion.target.rate.toFixed(1).replace(/\.0$/, '')}%`,
    ]);
    expect(await page.getByRole('row').filter({ hasText: 'Welcome series' }).getByRole('cell').allTextContents()).toEqual([
      'Welcome serieswelcome-series',
      'onboarding',
      'API',
      'v1 draft',
      '—',
      '—',
    ]);
    expect(await page.getByText('Old promo').count()).toBe(0);
    await screenshot(page, 'journeys');

    // The list keeps its rows while a filter loads: wait for the rows only the new answer has.
    const rowOf = (name: string) => page.getByRole('row').filter({ hasText: name });
    await page.getByLabel('State').selectOption('running');
    await rowOf('Welcome series').waitFor({ state: 'detached' });
    expect(await rowOf('Abandoned cart recovery').count()).toBe(1);
    expect(await page.locator('.list-count').textContent()).toBe('1 journey');
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Search').fill('welcome');
    await rowOf('Welcome series').waitFor();
    await rowOf('Abandoned cart recovery').waitFor({ state: 'detached' });
    expect(await page.locator('.list-count').textContent()).toBe('1 journey');
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Label').selectOption('retail');
    await page.getByLabel('Archived journeys only').check();
    await page.getByRole('row').filter({ hasText: 'Old promo' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Abandoned cart recovery' }).count()).toBe(0);
    expect(page.url()).toContain('label=retail');
    expect(page.url()).toContain('archived=1');
  });

  it("opens the journey: its graph with each node's figures as the report API answers them, the timeline and the draft's changes", async () => {
    const { page, stack } = harness;
    await page.goto(`${harness.consoleUrl}#/journeys`);
    await page.getByRole('link', { name: 'Abandoned cart recovery' }).click();
    await page.getByRole('heading', { name: 'Abandoned cart recovery' }).waitFor();
    expect(await page.getByLabel('Version', { exact: true }).inputValue()).toBe('1');
    await page.locator('[data-node-id="last-reminder"]').waitFor();

    const report = (await call(stack, 'GET', '/v1/journeys/abandoned-cart/versions/1/report')).body;
    const figure = (nodeId: string, label: string) =>
      page.locator(`[data-node-id="${nodeId}"] [data-figure="${label}"] dd`).textContent({ timeout: 10_000 });
    await eventually(async () => expect(await figure('wait-checkout', 'Entered')).toBe(String(users.length)), 15_000);
    for (const node of report.nodes as Array<{
      nodeId: string;
      type: string;
      entered: number;
      waitingNow: number;
      movedForward: Record<string, number>;
      exits: Record<string, number>;
      messages?: { sent: number; inDoubt: number; failed: number; unreachable: number };
      paths?: Array<{ path: string; share: number | null }>;
    }>) {
      expect(await figure(node.nodeId, 'Entered')).toBe(String(node.entered));
      expect(await figure(node.nodeId, 'Waiting now')).toBe(String(node.waitingNow));
      expect(await figure(node.nodeId, 'Exits')).toBe(String(Object.values(node.exits).reduce((a, b) => a + b, 0)));
      for (const [connector, moved] of Object.entries(node.movedForward)) {
        expect(await page.locator(`[data-node-id="${node.nodeId}"] [data-figure^="→ ${connector}"] dd`).textContent()).toMatch(
          new RegExp(`^${moved}( · |$)`),
        );
      }
      if (node.messages) {
        expect(await figure(node.nodeId, 'Sent')).toBe(String(node.messages.sent + node.messages.inDoubt));
        expect(await figure(node.nodeId, 'Failed')).toBe(String(node.messages.failed));
        expect(await figure(node.nodeId, 'Unreachable')).toBe(String(node.messages.unreachable));
      }
      if (node.type === 'experiment') {
        for (const path of node.paths!) {
          const share = path.share === null ? '—' : `${Number.isInteger(path.share) ? path.share : path.share.toFixed(1)}%`;
          expect(await page.locator(`[data-node-id="${node.nodeId}"] [data-figure="→ ${path.path}"] dd`).textContent()).toContain(share);
        }
      }
    }
    // The entry with its goal; edges labelled by connector with their counts.
    const entry = page.locator('[data-node-id="Entry"]');
    expect(await entry.textContent()).toContain('event cart_updated');
    expect(await entry.textContent()).toContain('Goalpurchase · order_completed');
    const timeout = report.nodes.find((node: { nodeId: string }) => node.nodeId === 'wait-checkout').movedForward.timeout;
    await page.locator('.edge-label', { hasText: `timeout · ${timeout}` }).waitFor();
    // The timeline and the draft against the running version.
    const side = page.getByRole('complementary', { name: 'Versions and changes' });
    await side.getByText('Published by bootstrap').waitFor();
    expect(await side.locator('.timeline').textContent()).toMatch(
      /New version by bootstrapv2 draft.*Published by bootstrapv1 draft → running.*Created by bootstrapv1 draft/,
    );
    await side.getByText('content last-reminder: subject changed').waitFor();
    expect(await side.locator('.diff-structural').textContent()).toContain('node wait-1d: changed');
    await screenshot(page, 'journey');
    await screenshot(page, 'journey-full', { fullPage: true });

    // A draft shows its own graph without figures.
    await page.getByLabel('Version', { exact: true }).selectOption('2');
    await page.getByText('A draft has no figures yet.').waitFor();
    expect(harness.externalRequests).toEqual([]);
    expect(harness.pageErrors).toEqual([]);
  });
});
