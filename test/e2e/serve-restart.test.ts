// A page left open comes back by itself when the real `framesmith serve` is
// stopped (SIGTERM) and started again on the same data folder: serve keeps
// its token and port there (owner-only), so the page's address and access
// stay valid; the page says the connection is lost, retries, and carries on
// with no reload by the person and no console error.
import { stat } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveIdentityPath } from '../../cli/serve-identity.ts';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { buildRenderer } from './renderer-build.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const browserPath = chromiumPath();

describe.skipIf(!browserPath)('the page comes back after framesmith serve restarts', () => {
  let temp: TempDir;
  let serve: ServeProcess | undefined;
  let browser: ChromiumSession;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-restart-');
    await buildRenderer();
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage();
    page.on('console', (message) => {
      // While serve is down, the browser itself reports each refused WebSocket attempt: those are the retries wanted here.
      if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(message.text())) consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.dispose();
    await serve?.stop();
    await temp?.dispose();
  });

  it('serves the same address and token after SIGTERM and a new start, and the open page reconnects', async () => {
    const dirs = { dataDir: temp.file('data'), cacheDir: temp.file('cache'), port: null };
    serve = await startServe(dirs);
    const firstUrl = serve.url;
    if (process.platform !== 'win32') expect((await stat(serveIdentityPath(dirs.dataDir))).mode & 0o777).toBe(0o600);
    await page.goto(firstUrl);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();

    await serve.stop();
    serve = undefined;
    const lost = page.getByRole('alert').filter({ hasText: 'Lost the connection to Framesmith' });
    await lost.waitFor({ timeout: 15_000 });

    serve = await startServe(dirs);
    expect(serve.url).toBe(firstUrl);
    expect(serve.output()).not.toMatch(/is taken|new access token/);
    await expect.poll(() => lost.count(), { timeout: 30_000 }).toBe(0);
    // The API answers again on the same page: the Models screen lists the catalog.
    await page.getByRole('navigation').getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    await page.getByText(/ of \d+ on this machine/).first().waitFor({ timeout: 20_000 });
    expect(consoleErrors).toEqual([]);
  }, 150_000);
});
