// The farm in the app, in Debian's Chromium against the real `framesmith
// serve`, a real redis-server and a real `framesmith worker`: Settings'
// farm section saves the Redis URL and shared folder and its "Test
// connection" finds the worker (and names the reason when Redis does not
// answer); New job offers "Render on: Farm" with the worker counted; the
// Queue screen's workers panel lists the worker (host, provider, fps,
// segment) and a farm job's segments by state. Screenshots at 1280x800 and
// 700x900 under test-artifacts/screens/farm-*.
import { promises as fs } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli-runner.ts';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeClip, makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { modelAsset } from '../helpers/shared-assets.ts';
import { redisServerPath, startWorker, TestRedis, type WorkerHandle } from '../integration/farm/farm-helpers.ts';
import { buildRenderer } from './renderer-build.ts';
import { saveScreenshot } from './screenshots.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const browserPath = chromiumPath();
const redisBinary = redisServerPath();
const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const ready = browserPath !== undefined && redisBinary !== undefined && model !== undefined;
if (!ready) console.warn(`*** SKIPPED farm UI test: ${browserPath ? '' : 'no Chromium; '}${redisBinary ? '' : 'redis-server is not installed; '}${model ? '' : 'missing the realesr-animevideov3-x4 model'}`);

const SIZES = [{ width: 1280, height: 800 }, { width: 700, height: 900 }] as const;

async function shoot(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? SIZES[0];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await saveScreenshot(page, `${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize(original);
}

describe.skipIf(!ready)('the render farm in the app (Chromium, serve, Redis, a worker)', () => {
  let temp: TempDir;
  let shared: string;
  let redis: TestRedis;
  let worker: WorkerHandle;
  let serve: ServeProcess;
  let browser: ChromiumSession;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-farm-');
    shared = temp.file('shared');
    await fs.mkdir(shared);
    await buildRenderer();
    redis = await TestRedis.start(temp.path);
    const env = { FRAMESMITH_DATA: temp.file('worker-data'), FRAMESMITH_CACHE: temp.file('cache') };
    worker = await startWorker({ name: 'render-box-1', redisUrl: redis.url, sharedRoot: shared, env });
    serve = await startServe({ dataDir: temp.file('data'), cacheDir: temp.file('cache') });
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage();
    await page.setViewportSize(SIZES[0]);
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.dispose();
    await serve?.stop();
    await worker?.stop();
    await redis?.stop();
    await temp?.dispose();
  });

  it('Settings: saves the farm, and Test connection finds the worker or names the reason', async () => {
    await page.goto(`${serve.url}#/settings`);
    const section = page.getByTestId('farm-settings');
    await section.getByRole('heading', { name: 'Render farm' }).waitFor();
    const url = section.getByLabel('Redis URL');
    await url.fill(`redis://127.0.0.1:${redis.port + 1}`);
    await url.blur();
    await section.getByLabel('Shared folder').fill(shared);
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => section.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Redis does not answer');
    await url.fill(redis.url);
    await url.blur();
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => section.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Connected: 1 worker');
    await shoot(page, 'farm-settings');
    await page.reload();
    await expect.poll(() => page.getByTestId('farm-settings').getByLabel('Redis URL').inputValue()).toBe(redis.url);
  });

  it('New job: Render on offers the farm with its worker counted', async () => {
    await page.goto(`${serve.url}#/new`);
    const choice = page.getByTestId('render-on');
    await choice.waitFor();
    const farm = choice.getByRole('radio', { name: 'Farm (1 worker)' });
    await expect.poll(() => farm.isEnabled(), { timeout: 15_000 }).toBe(true);
    await farm.check();
    expect(await choice.getByText('Still images render on this machine').isVisible()).toBe(true);
    await shoot(page, 'farm-new-job');
  });

  it('Queue: the workers panel lists the worker and a farm job\'s segments by state', async () => {
    const clip = await makeClip(shared, { name: 'farm-clip.mkv', frames: 48, width: 160, height: 90, container: 'mkv', rate: '24' });
    const running: Promise<CliResult> = runCli([
      'run', clip, '--step', 'upscale:model=realesr-animevideov3-x4', '-o', temp.file('farm-out.mkv'), '--codec', 'ffv1', '--json',
      '--farm', redis.url, '--shared-root', shared, '--segment-frames', '8',
    ], { env: { FRAMESMITH_DATA: temp.file('cli-data'), FRAMESMITH_CACHE: temp.file('cache') }, timeoutMs: 300_000 });
    await page.goto(`${serve.url}#/queue`);
    const panel = page.getByTestId('farm-panel');
    await panel.getByRole('heading', { name: 'Render farm' }).waitFor();
    await expect.poll(() => panel.getByRole('cell', { name: 'render-box-1' }).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => panel.getByTestId('farm-segment-counts').first().textContent().catch(() => ''), { timeout: 60_000 }).toMatch(/\d+ done, 1 active, \d+ waiting, 0 failed/);
    expect(await panel.getByText('farm-clip.mkv').isVisible()).toBe(true);
    await shoot(page, 'farm-queue-panel');
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    await expect.poll(() => panel.getByText('Farm jobs').count(), { timeout: 15_000 }).toBe(0);
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
