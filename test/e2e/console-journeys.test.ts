import { call } from '../helpers/stack';
import { screenshot, signIn, startConsoleHarness, type ConsoleHarness } from './console-harness';

/** The console's shell and journeys pages in Chromium against the real stack (issue 17, items 1 and 2). */
describe('console: key entry and the journeys pages', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness();
  });
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
    expect(harness.externalRequests).toEqual([]);
  });
});
