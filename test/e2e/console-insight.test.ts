import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { stopDryRuns } from '../../api/dry-run/runner';
import { isControlUser } from '../../domain/control-group';
import { instanceWorkflowId } from '../../domain/ids';
import type { JourneyReport } from '../../domain/reports/report';
import { eventually } from '../helpers/eventually';
import { call } from '../helpers/stack';
import { screenshot, signIn, startConsoleHarness, type ConsoleHarness } from './console-harness';

/**
 * The console's insight pages in Chromium against the real stack (issue 17, items 5, 7 and 8): the report of the
 * abandoned-cart example with the figures the report API gives and its CSV, a user's instance opened from a user
 * id lookup with its Temporal UI link, and a dry run showing a rendered message.
 */
describe('console: report, user lookup and dry run', () => {
  let harness: ConsoleHarness;
  const journeyId = 'abandoned-cart';
  // Shoppers outside the example's 5 % control group (held-out users get no messages and show as control).
  const [waiting, checkedOut, buyer] = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus'].filter((u) => !isControlUser(journeyId, u, 5));

  async function enterWithCart(userId: string, cartId: string): Promise<void> {
    const answer = await call(harness.stack, 'POST', '/v1/events', {
      userId,
      name: 'cart_updated',
      properties: { items: 2, cartId, cartUrl: `https://shop.example.com/cart/${cartId}` },
    });
    expect(answer.body.entries).toEqual([expect.objectContaining({ journeyId, result: 'started' })]);
  }

  async function atCheckoutWait(userId: string): Promise<void> {
    await eventually(async () => {
      const detail = await call(harness.stack, 'GET', `/v1/instances/${encodeURIComponent(instanceWorkflowId(journeyId, userId))}`);
      expect(detail.body.state).toMatchObject({ currentNode: 'wait-checkout', waitingFor: expect.stringContaining('checkout_started') });
    });
  }

  beforeAll(async () => {
    harness = await startConsoleHarness({ reports: { idleMs: 300, experimentCheckMs: 60_000 } });
    const { stack } = harness;
    const definition = parse(readFileSync(join(__dirname, '../../examples/abandoned-cart.yaml'), 'utf8'));
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/versions/1/publish`, {})).status).toBe(200);
    for (const userId of [waiting!, checkedOut!, buyer!]) {
      await stack.profiles.put({ userId, email: `${userId}@example.com`, timezone: 'Europe/Paris', attributes: { firstName: userId } });
    }
    // One waits for the checkout (the hour-long window), one checks out (exit), one buys (the goal).
    for (const [userId, cartId] of [
      [waiting!, 'c-1'],
      [checkedOut!, 'c-2'],
      [buyer!, 'c-3'],
    ] as const) {
      await enterWithCart(userId, cartId);
      await atCheckoutWait(userId);
    }
    // The waiting shopper also went through the hello example: a second journey, completed.
    const hello = parse(readFileSync(join(__dirname, '../../examples/hello.yaml'), 'utf8'));
    expect((await call(stack, 'POST', '/v1/journeys', hello)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/hello/versions/1/publish', {})).status).toBe(200);
    const enrolled = await call(stack, 'POST', '/v1/journeys/hello/enrollments', { userId: waiting });
    await stack.client.workflow.getHandle(enrolled.body.instanceId).result();
    await call(stack, 'POST', '/v1/events', { userId: checkedOut, name: 'checkout_started', properties: { cartId: 'c-2' } });
    await call(stack, 'POST', '/v1/events', { userId: buyer, name: 'order_completed', properties: { orderId: 'o-3' } });
  });
  afterAll(async () => {
    await harness?.close();
    // The API's dry runs keep a time-skipping server of their own (it would hold the process for its idle minute).
    await stopDryRuns();
  });

  it('opens a user from a user id lookup: the profile, the running instance, what it waits for, its Temporal UI link', async () => {
    const { page, stack } = harness;
    const workflowId = instanceWorkflowId(journeyId, waiting!);
    const listed = await eventually(async () => {
      const answer = await call(stack, 'GET', `/v1/users/${waiting}/instances`);
      expect(answer.body.items).toEqual([
        expect.objectContaining({ journeyId: 'hello', status: 'completed' }),
        expect.objectContaining({ journeyId, status: 'running', currentNode: 'wait-checkout' }),
      ]);
      return answer.body.items[1];
    });

    await signIn(harness, undefined, '#/users');
    await page.getByLabel('User id').fill(waiting!);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('heading', { name: `User ${waiting}` }).waitFor();
    await page.getByText(`${waiting}@example.com`).waitFor();
    const card = page.locator('.instance').filter({ hasText: journeyId });
    await card.getByText(/event checkout_started until/).waitFor();
    expect(await card.locator('.badge').first().textContent()).toBe('running');
    expect(await card.getByRole('list', { name: 'Path' }).textContent()).toBe('wait-checkout');
    const link = card.getByRole('link', { name: 'Open in Temporal UI' });
    expect(await link.getAttribute('href')).toBe(
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${listed.runId}/history`,
    );
    // An admin key may end it (support exit); the button is there, only for the running one.
    await card.getByRole('button', { name: 'Exit this instance' }).waitFor();
    const done = page.locator('.instance').filter({ hasText: 'hello' });
    await done.locator('.instance-fields div').filter({ hasText: 'Exit reason' }).getByText('exited', { exact: true }).waitFor();
    expect(await done.getByRole('list', { name: 'Path' }).getByRole('listitem').allTextContents()).toEqual(['say-hello', 'done']);
    expect(await done.getByRole('button', { name: 'Exit this instance' }).count()).toBe(0);
    await screenshot(page, 'user');
    expect(harness.externalRequests).toEqual([]);
  });

  it("shows the report with the report API's figures, and saves its CSV as the API answers it", async () => {
    const { page, stack } = harness;
    const path = `/v1/journeys/${journeyId}/versions/1/report`;
    const report: JourneyReport = await eventually(async () => {
      const answer = await call(stack, 'GET', path);
      expect(answer.body.summary).toMatchObject({ qualified: 3, exits: { exited: 1, goal: 1 } });
      expect(answer.body.summary.conversion.target.converted).toBe(1);
      return answer.body;
    });

    await page.goto(`${harness.consoleUrl}#/journeys/${journeyId}/report?versions=1`);
    await page.getByRole('heading', { name: 'Report: Abandoned cart recovery' }).waitFor();
    const figure = async (label: string) =>
      (
        await page
          .locator('.figure')
          .filter({ has: page.getByText(label, { exact: true }) })
          .locator('dd')
          .textContent()
      )?.trim();
    await eventually(async () => expect(await figure('Entered')).toBe(String(report.summary.entered)));
    expect(await figure('Control')).toBe(String(report.summary.control));
    expect(await figure('In journey now')).toBe(String(report.summary.inJourneyNow));
    expect(await figure('Conversion')).toBe(`1 · ${report.summary.conversion.target.rate} %`);
    const exits = page.getByRole('table', { name: 'Exits by reason' });
    expect(await exits.getByRole('row').allTextContents()).toEqual(expect.arrayContaining(['goal1', 'exited1']));
    const nodes = page.getByRole('table', { name: 'Per-node figures' });
    const waitRow = report.nodes.find((node) => node.nodeId === 'wait-checkout')!;
    expect(await nodes.getByRole('row').nth(1).textContent()).toContain(`wait-checkoutwaitForEvent${waitRow.entered}${waitRow.waitingNow}`);
    expect(
      await page
        .getByRole('img', { name: /Trend by day: Entered \d+/ })
        .locator('polyline')
        .count(),
    ).toBe(3);
    await screenshot(page, 'report', { fullPage: true });

    const csv = (await call(stack, 'GET', `${path}?format=csv&table=summary`)).body as string;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download summary CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${journeyId}-v1-summary.csv`);
    expect(readFileSync((await download.path())!, 'utf8')).toBe(csv);
    await page.getByText(`Saved ${journeyId}-v1-summary.csv`).waitFor();

    // By week, then every published version together (none ticked): the across-versions report, same figures.
    await page.getByLabel('Trend by', { exact: true }).selectOption('week');
    await page.getByRole('heading', { name: 'Trend by week' }).waitFor();
    expect(await page.evaluate('location.hash')).toBe(`#/journeys/${journeyId}/report?versions=1&bucket=week`);
    await page.getByRole('checkbox', { name: /v1/ }).uncheck();
    await eventually(async () => expect(await page.evaluate('location.hash')).toBe(`#/journeys/${journeyId}/report?bucket=week`));
    await page.getByText(/^Versions v1 · generated/).waitFor();
    expect(await figure('Entered')).toBe(String(report.summary.entered));
    expect(harness.externalRequests).toEqual([]);
  });

  it('runs a dry run of the version for a sample profile and shows the path with times and the rendered message', async () => {
    const { page } = harness;
    await page.goto(`${harness.consoleUrl}#/dry-run?journey=${journeyId}&version=1`);
    // The version enters on cart_updated: the form fills the entry event in.
    await eventually(async () => expect(await page.getByLabel('Entry event name').inputValue()).toBe('cart_updated'));
    await page
      .getByLabel('Entry event properties (JSON)')
      .fill('{"items": 2, "cartId": "c-9", "cartUrl": "https://shop.example.com/cart/c-9"}');
    await page.getByRole('button', { name: 'Run the dry run' }).click();
    await page.getByRole('heading', { name: 'Result' }).waitFor({ timeout: 45_000 });
    const timeline = page.getByRole('table', { name: 'Timeline of the dry run' });
    expect(await timeline.getByRole('row').nth(1).textContent()).toContain('entered wait-checkout');
    await timeline.getByText('entered test-offer').waitFor();
    // Whichever path the draw picks, its message is rendered with the cart's URL.
    const card = page.locator('.message-card').first();
    await card.getByText(/https:\/\/shop\.example\.com\/cart\/c-9/).waitFor();
    expect(await card.locator('h4').textContent()).toMatch(/(push-discount · push|email-shipping · email)/);
    await screenshot(page, 'dry-run', { fullPage: true });

    // A scripted event: the order half an hour in meets the goal before any message.
    await page.getByRole('button', { name: 'Add an event' }).click();
    await page.getByLabel('After (ISO-8601) 1').fill('PT30M');
    await page.getByLabel('Event name 1').fill('order_completed');
    await page.getByLabel('Properties (JSON) 1').fill('{"orderId": "o-9"}');
    await page.getByRole('button', { name: 'Run the dry run' }).click();
    await page.getByText(/^Exited with goal at wait-checkout after 30 min/).waitFor({ timeout: 45_000 });
    await page.getByText('No message was sent.').waitFor();
    await timeline.getByText('event order_completed').waitFor();

    // A mistake of the form is named next to its input, and nothing is sent.
    await page.getByLabel('Properties (JSON) 1').fill('{"orderId": ');
    await page.getByRole('button', { name: 'Run the dry run' }).click();
    await page.getByText(/^not valid JSON/).waitFor();
    expect(await page.getByLabel('Properties (JSON) 1').getAttribute('aria-invalid')).toBe('true');
    expect(harness.externalRequests).toEqual([]);
    expect(harness.pageErrors).toEqual([]);
  });
});
