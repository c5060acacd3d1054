import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestStack, testAdminKey, type TestStack, type TestStackOptions } from '../helpers/stack';

/**
 * The console's end-to-end harness: the real stack (API serving console/dist at /console, workers, Temporal,
 * FerretDB) and Debian's Chromium driven by playwright-core at 1280×800. Requests leaving the stack's origin are
 * refused and recorded, so a test can prove the console needs no network but its API.
 */
const root = resolve(__dirname, '../..');
export const screenshotDir = join(root, 'test-results', 'console');
export const viewport = { width: 1280, height: 800 };

export interface ConsoleHarness {
  stack: TestStack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The console's address on the stack: `${baseUrl}/console/`. */
  consoleUrl: string;
  /** URLs the page tried to reach outside the stack (refused). */
  externalRequests: string[];
  /** Uncaught errors and console.error lines of the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** The Chromium to drive: CHROMIUM_PATH, else Debian's (infra/install.sh installs it). */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: run 'npm run install:infra' as root (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return path;
}

/** Builds console/dist when missing or older than its sources (a no-op otherwise; global setup ran it already). */
export function buildConsole(): void {
  execFileSync('bash', [join(root, 'infra', 'build-console.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startConsoleHarness(options: TestStackOptions = {}): Promise<ConsoleHarness> {
  buildConsole();
  const executablePath = chromiumPath();
  const stack = await startTestStack(options);
  // --no-sandbox: test machines and containers run as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(stack.baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    externalRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return {
    stack,
    browser,
    context,
    page,
    consoleUrl: `${stack.baseUrl}/console/`,
    externalRequests,
    pageErrors,
    async close() {
      await browser.close().catch(() => undefined);
      await stack.close();
    },
  };
}

/** Opens the console and enters `key` (the stack's admin key by default), waiting until the shell shows it. */
export async function signIn(harness: ConsoleHarness, key = testAdminKey, hash = '#/journeys'): Promise<void> {
  const { page } = harness;
  await page.goto(`${harness.consoleUrl}${hash}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open console' }).click();
  await page.getByRole('button', { name: 'Forget key' }).waitFor();
}

/** Saves a screenshot as test-results/console/<name>.png (the README's docs/console/ images are copied from here). */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
  return path;
}
