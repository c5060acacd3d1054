import type { Page } from 'playwright-core';
import { stopDryRuns } from '../../api/dry-run/runner';
import { eventually } from '../helpers/eventually';
import { call, type TestStack } from '../helpers/stack';
import { screenshot, signIn, startConsoleHarness, type ConsoleHarness } from './console-harness';

/**
 * The console's actions in Chromium against the real stack (issue 17, items 3, 4 and 6): a message's content
 * edited in place and used by the next send (the stack's channels all go to the dev sink), a manual
 * experiment's weights changed and followed by the next users, a version paused and resumed.
 */
const journeyId = 'cart-offer';
const definition = {
  id: journeyId,
  name: 'Cart offer',
  description: 'A discount against free shipping, scored by purchases',
  labels: ['retail'],
  entry: { type: 'api' },
  settings: { goals: [{ id: 'purchase', event: 'purchased' }], conversionWindow: 'P1D' },
  nodes: {
    offer: {
      type: 'experiment',
      mode: 'manual',
      goals: [{ event: 'purchased' }],
      paths: { discount: 'discount-mail', shipping: 'shipping-mail' },
    },
    'discount-mail': { type: 'message', channel: 'email' },
    'shipping-mail': { type: 'message', channel: 'email' },
  },
  content: {
    offer: { weights: { discount: 100, shipping: 0 } },
    'discount-mail': { subject: '10% off your cart, {{ profile.firstName }}', body: 'Use code SAVE10 before midnight.' },
    'shipping-mail': { subject: 'Free shipping on your cart', body: 'Your cart ships free today.' },
  },
};

async function enrol(stack: TestStack, userId: string, firstName: string) {
  const answer = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, {
    userId,
    profile: { email: `${userId}@example.com`, attributes: { firstName } },
  });
  return answer;
}

/** The email the sink recorded for the user (the rendered subject and the node that sent it). */
async function sentTo(stack: TestStack, userId: string): Promise<{ nodeId: string; subject: string }> {
  return eventually(async () => {
    const answer = await call(stack, 'GET', `/v1/sink/messages?userId=${userId}`);
    const [message] = answer.body.items;
    if (!message) throw new Error(`nothing sent to ${userId} yet`);
    return { nodeId: message.nodeId, subject: message.content.subject };
  });
}

async function fieldError(page: Page, label: RegExp | string): Promise<string> {
  const input = page.getByLabel(label);
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  return ids.length === 0 ? '' : ((await page.locator(`[id="${ids[0]}"]`).textContent()) ?? '');
}

/** The body cells of a table, row by row, as text. */
async function tableCells(page: Page, caption: string): Promise<string[][]> {
  const table = page.getByRole('table', { name: caption });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  const cells: string[][] = [];
  for (let index = 0; index < (await rows.count()); index++) {
    cells.push((await rows.nth(index).locator('td').allTextContents()).map((text) => text.trim()));
  }
  return cells;
}

describe('console: content, experiment weights and lifecycle actions', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ reports: { idleMs: 300, experimentCheckMs: 60_000 } });
    const { stack } = harness;
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/versions/1/publish`, {})).status).toBe(200);
  });
  afterAll(async () => {
    await harness?.close();
    // The preview's dry runs started a time-skipping server in this process.
    await stopDryRuns();
  });

  it("edits a message's content in place: the API's validation by the field, a preview, and the new revision used by the next send", async () => {
    const { page, stack } = harness;
    expect((await enrol(stack, 'ada', 'Ada')).status).toBe(202);
    expect(await sentTo(stack, 'ada')).toEqual({ nodeId: 'discount-mail', subject: '10% off your cart, Ada' });

    await signIn(harness, undefined, `#/journeys/${journeyId}/versions/1/content?node=discount-mail`);
    const form = page.getByRole('form', { name: 'Content of discount-mail' });
    await form.waitFor();
    await page.getByLabel(/^Subject/).fill('');
    await form.getByRole('button', { name: 'Save as new revision' }).click();
    await form.getByRole('alert').waitFor();
    expect(await fieldError(page, /^Subject/)).toContain('an email needs a subject');
    await screenshot(page, 'content-validation');

    await page.getByLabel(/^Subject/).fill('{{ profile.firstName }}, 15% off ends tonight');
    await form.getByRole('button', { name: 'Save as new revision' }).click();
    await page.getByText('Saved as revision 1: the next sends use it.').waitFor();
    await page.getByRole('region', { name: 'Revision history' }).getByText('Revision 1').waitFor();

    await page.getByRole('button', { name: 'Render preview' }).click();
    const preview = page.locator('.preview-result');
    await preview.getByText('Ada, 15% off ends tonight').waitFor({ timeout: 60_000 });
    expect(await preview.textContent()).toContain('Would be sent');
    await screenshot(page, 'content-editor', { fullPage: true });

    expect((await enrol(stack, 'bea', 'Bea')).status).toBe(202);
    expect(await sentTo(stack, 'bea')).toEqual({ nodeId: 'discount-mail', subject: 'Bea, 15% off ends tonight' });
    expect(harness.externalRequests).toEqual([]);
    // The first dry run of the process bundles the workflow code: tens of seconds on a busy machine.
  }, 120_000);

  it("changes a manual experiment's weights: the next user follows them, and the page shows paths, conversions and the weights over time", async () => {
    const { page, stack } = harness;
    // Ada buys: a conversion on the discount path.
    expect((await call(stack, 'POST', '/v1/events', { userId: 'ada', name: 'purchased' })).status).toBeLessThan(300);

    await page.goto(`${harness.consoleUrl}#/journeys/${journeyId}/versions/1/experiments/offer`);
    const form = page.getByRole('group', { name: 'Weights (percent)' });
    await form.waitFor();
    await form.getByLabel('discount').fill('60');
    await form.getByLabel('shipping').fill('30');
    await page.getByRole('button', { name: 'Save weights' }).click();
    await form
      .getByRole('alert')
      .getByText(/weights sum to 90, not 100/)
      .waitFor();

    await form.getByLabel('shipping').fill('40');
    await form.getByLabel('discount').fill('0');
    await form.getByLabel('shipping').fill('100');
    await page.getByRole('button', { name: 'Save weights' }).click();
    await page.getByRole('table', { name: 'Weight changes, newest first' }).getByRole('cell', { name: 'edited' }).waitFor();

    expect((await enrol(stack, 'cem', 'Cem')).status).toBe(202);
    expect(await sentTo(stack, 'cem')).toEqual({ nodeId: 'shipping-mail', subject: 'Free shipping on your cart' });

    // The report folds the facts on its own: reload until the paths show the three users and Ada's purchase.
    await eventually(async () => {
      await page.reload();
      expect(await tableCells(page, 'Paths of offer')).toEqual([
        ['discount', '0%', '2', '66.67%', '1 (50%)'],
        ['shipping', '100%', '1', '33.33%', '0 (0%)'],
      ]);
    }, 45_000);
    await screenshot(page, 'experiments', { fullPage: true });
    expect(harness.externalRequests).toEqual([]);
  }, 120_000);

  it("pauses and resumes the version from the journey page, each after a confirmation, and shows a refusal in the API's words", async () => {
    const { page, stack } = harness;
    const state = async () => (await call(stack, 'GET', `/v1/journeys/${journeyId}`)).body.versions[0].state;
    await page.goto(`${harness.consoleUrl}#/journeys/${journeyId}`);
    const actions = page.getByRole('group', { name: 'Actions on version 1' });

    await actions.getByRole('button', { name: 'Archive' }).click();
    const archive = page.getByRole('dialog', { name: `Archive journey ${journeyId}?` });
    await archive.getByRole('button', { name: 'Archive' }).click();
    await archive.getByRole('alert').getByText('cannot archive while version 1 is running: pause or stop it first').waitFor();
    await screenshot(page, 'actions-refused');
    await archive.getByRole('button', { name: 'Cancel' }).click();

    await actions.getByRole('button', { name: 'Pause' }).click();
    const pause = page.getByRole('dialog', { name: 'Pause version 1?' });
    await pause.waitFor();
    await screenshot(page, 'actions-pause');
    await pause.getByRole('button', { name: 'Pause' }).click();
    await actions.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await state()).toBe('paused');
    const refused = await enrol(stack, 'dan', 'Dan');
    expect([refused.status, refused.body.code]).toEqual([409, 'journey_not_running']);

    await actions.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog', { name: 'Resume version 1?' }).getByRole('button', { name: 'Resume' }).click();
    await actions.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await state()).toBe('running');
    expect((await enrol(stack, 'dan', 'Dan')).status).toBe(202);
    expect(await sentTo(stack, 'dan')).toEqual({ nodeId: 'shipping-mail', subject: 'Free shipping on your cart' });
    expect(harness.externalRequests).toEqual([]);
  });
});
