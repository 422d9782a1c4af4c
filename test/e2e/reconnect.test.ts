// The page in Chromium finds its server again by itself: the server behind
// it (the same WebServer and engine service `framesmith serve` composes, at
// the same address and token) stops and comes back; the page says the
// connection is lost, retries, and once back reloads what it shows, with no
// reload by the person and no console error.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebServer } from '../../cli/web-server.ts';
import { ApiDispatcher, AppService, Engine } from '../../engine/index.ts';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeClip, makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { buildRenderer, rendererDist } from './renderer-build.ts';

const browserPath = chromiumPath();
const TOKEN = 'reconnect-test-token-0123456789abcdef';

describe.skipIf(!browserPath)('the page reconnects when its server comes back', () => {
  let temp: TempDir;
  let engine: Engine;
  let service: AppService;
  let server: WebServer | undefined;
  let browser: ChromiumSession;
  let page: Page;
  let port = 0;
  let clip: string;
  const consoleErrors: string[] = [];

  async function startServer(): Promise<void> {
    const dispatcher = new ApiDispatcher(service.handlers());
    server = new WebServer({ uiDir: rendererDist, dispatcher, events: service, token: TOKEN, port });
    await server.listen();
    port = server.port;
  }

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-reconnect-');
    clip = await makeClip(temp.path, { name: 'clip.mp4', frames: 4, width: 64, height: 48 });
    await buildRenderer();
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' }, autoStart: false });
    await startServer();
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage();
    page.on('console', (message) => {
      // While the server is down, the browser itself reports each refused WebSocket attempt; those are the retries this test wants.
      if (message.type() === 'error' && !/WebSocket connection to .* failed/.test(message.text())) consoleErrors.push(message.text());
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

  it('says the connection is lost while the server is down and carries on once it is back', async () => {
    await page.goto(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    expect(await page.getByText('0 running · 0 waiting · 0 in all').isVisible()).toBe(true);

    await server?.close();
    server = undefined;
    const lost = page.getByRole('alert').filter({ hasText: 'Lost the connection to Framesmith' });
    await lost.waitFor({ timeout: 15_000 });

    // Meanwhile the queue changes behind the page's back (autoStart is off, so the job stays queued).
    const dispatcher = new ApiDispatcher(service.handlers());
    const enqueued = await dispatcher.dispatch('jobs:enqueue', { inputs: [clip], steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }] }, { signal: new AbortController().signal });
    expect(enqueued.ok, JSON.stringify(enqueued)).toBe(true);
    await startServer();
    await expect.poll(() => lost.count(), { timeout: 20_000 }).toBe(0);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await expect.poll(() => page.getByText('0 running · 1 waiting · 1 in all').isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('article', { name: 'Job clip.mp4' }).waitFor();
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
