// Settings in Chromium says in words why an execution provider does not run
// here, with no command to type anywhere in the list, and "Details" reveals the
// technical text (the provider library's file name). Against the real engine
// over the same WebServer `framesmith serve` composes. Screenshots at 1280x800
// and 700x900, English and German.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebServer } from '../../cli/web-server.ts';
import { ApiDispatcher, AppService, Engine } from '../../engine/index.ts';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { buildRenderer, rendererDist } from './renderer-build.ts';
import { saveScreenshot } from './screenshots.ts';

const browserPath = chromiumPath();
const TOKEN = 'providers-test-token-0123456789abcdef';
/** The machine has no CUDA provider library (no GPU install in this fresh data folder) and runs Linux x64. */
const cudaNotInstalled = process.platform === 'linux' && process.arch === 'x64';

describe.skipIf(!browserPath)('execution providers in Settings', () => {
  let temp: TempDir;
  let engine: Engine;
  let service: AppService;
  let server: WebServer;
  let browser: ChromiumSession;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-providers-');
    await buildRenderer();
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' }, autoStart: false });
    server = new WebServer({ uiDir: rendererDist, dispatcher: new ApiDispatcher(service.handlers()), events: service, token: TOKEN, port: 0 });
    await server.listen();
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.dispose();
    await server?.close();
    await service?.dispose();
    await engine?.dispose();
    await temp?.dispose();
  });

  it('words each reason, shows no command, and keeps the technical text behind Details', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`http://127.0.0.1:${server.port}/?token=${TOKEN}#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const list = page.getByRole('list', { name: 'Available on this machine' });
    await list.waitFor({ timeout: 60_000 });
    const rows = list.getByRole('listitem');
    expect(await rows.count()).toBe(6);
    expect(await list.innerText()).not.toMatch(/framesmith /);
    expect(await rows.filter({ hasText: 'cpu' }).innerText()).toContain('available');
    if (process.platform === 'linux') expect(await rows.filter({ hasText: 'dml' }).innerText()).toContain('Only on Windows.');
    if (cudaNotInstalled) {
      const cuda = rows.filter({ hasText: /^cuda/ });
      expect(await cuda.innerText()).toContain('Needs the NVIDIA CUDA runtime: install it below, under “GPU acceleration (NVIDIA)”.');
      const library = cuda.getByText(/libonnxruntime_providers_cuda\.so/);
      expect(await library.isVisible()).toBe(false);
      await saveScreenshot(page, 'settings-providers-1280');
      await cuda.getByText('Details', { exact: true }).click();
      await expect.poll(() => library.isVisible()).toBe(true);
      expect(await library.innerText()).toMatch(/not installed in \//);
      expect(await list.innerText()).not.toMatch(/framesmith /);
    }
    await page.setViewportSize({ width: 700, height: 900 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, 'Settings scrolls sideways in a 700 px window').toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'settings-providers-700-details');

    await page.getByLabel('Language').selectOption('de');
    await page.getByRole('list', { name: 'Auf diesem Rechner verfügbar' }).waitFor();
    if (cudaNotInstalled) expect(await page.getByRole('list', { name: 'Auf diesem Rechner verfügbar' }).innerText()).toContain('Braucht die NVIDIA-CUDA-Laufzeit: Installieren Sie sie unten unter „GPU-Beschleunigung (NVIDIA)“.');
    await saveScreenshot(page, 'settings-providers-700-de');
    await page.setViewportSize({ width: 1280, height: 800 });
    await saveScreenshot(page, 'settings-providers-1280-de');
    await page.getByLabel('Sprache').selectOption('en');
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
