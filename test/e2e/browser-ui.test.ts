// The React UI in Debian's Chromium against the real `framesmith serve` and the
// real engine: a clip is added through the directory browser, a chain runs to
// completion with its progress watched on the card, a long job is cancelled,
// a frame is previewed and compared, a preset is edited, exported and
// re-imported, the model catalog is listed. Screenshots of every screen (light,
// dark, narrow window) land in test-artifacts/screens for people to look at.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeClip, makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { modelAsset } from '../helpers/shared-assets.ts';
import { buildRenderer } from './renderer-build.ts';
import { saveScreenshot } from './screenshots.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const browserPath = chromiumPath();
const fastModel = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const slowModel = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

describe.skipIf(!browserPath || !fastModel || !slowModel)('the UI in Chromium over framesmith serve', () => {
  let temp: TempDir;
  let serve: ServeProcess;
  let browser: ChromiumSession;
  let page: Page;
  let clip: string;
  let longClip: string;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-');
    await buildRenderer();
    clip = await makeClip(temp.path, { name: 'clip.mp4', frames: 24, width: 96, height: 64 });
    longClip = await makeClip(temp.path, { name: 'long.mp4', frames: 250, width: 160, height: 96 });
    serve = await startServe({ dataDir: temp.file('data'), cacheDir: temp.file('cache') });
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(serve.url);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.dispose();
    await serve?.stop();
    await temp?.dispose();
  });

  async function open(screen: string, heading: string) {
    await page.getByRole('navigation').getByRole('link', { name: heading, exact: true }).click();
    await page.waitForURL(`**#/${screen}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  async function addInputThroughBrowser(file: string) {
    await page.getByRole('button', { name: 'Add files…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose files' });
    await dialog.getByLabel('Folder path').fill(path.dirname(file));
    await dialog.getByRole('button', { name: 'Go' }).click();
    await dialog.getByRole('button', { name: path.basename(file) }).click();
    await dialog.getByRole('button', { name: 'Choose', exact: true }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Inputs' }).textContent()).toContain(file);
  }

  async function enqueueUpscale(file: string, model: string, outputFolder: string) {
    await open('new', 'New job');
    await addInputThroughBrowser(file);
    await page.getByRole('group', { name: 'Step 1: Upscale' }).getByLabel('Model').selectOption(model);
    await page.getByLabel('Output folder').fill(outputFolder);
    await expect.poll(() => page.getByTestId('estimate').textContent(), { timeout: 30_000 }).toMatch(/Frames/);
    await page.getByRole('button', { name: 'Add to queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  }

  it('shows the empty queue', async () => {
    await expect.poll(() => page.getByText('No jobs yet').isVisible()).toBe(true);
    await saveScreenshot(page, 'queue-empty-light');
  });

  it('runs a chain on a real clip: progress advances to completion and the output appears', async () => {
    const outputFolder = temp.file('out');
    await enqueueUpscale(clip, 'realesr-animevideo-xs-x2', outputFolder);
    const card = page.getByRole('article', { name: 'Job clip.mp4' });
    await card.waitFor();
    await saveScreenshot(page, 'new-job-enqueued-light');
    const seen: number[] = [];
    let screenshotTaken = false;
    for (let attempt = 0; attempt < 600; attempt++) {
      const state = await card.getAttribute('data-state');
      const percent = Number((await card.getByTestId('job-percent').textContent())?.replace('%', ''));
      if (seen[seen.length - 1] !== percent) seen.push(percent);
      if (state === 'running' && percent > 0 && !screenshotTaken) {
        await saveScreenshot(page, 'queue-running-light');
        screenshotTaken = true;
      }
      if (state === 'completed' || state === 'failed') break;
      await page.waitForTimeout(100);
    }
    expect(await card.getAttribute('data-state'), await card.textContent() ?? '').toBe('completed');
    expect(seen[seen.length - 1]).toBe(100);
    for (let index = 1; index < seen.length; index++) expect(seen[index]).toBeGreaterThanOrEqual(seen[index - 1] as number);
    const outputs = await readdir(outputFolder);
    expect(outputs).toHaveLength(1);
    const output = path.join(outputFolder, outputs[0] as string);
    expect((await stat(output)).size).toBeGreaterThan(1000);
    expect(await card.textContent()).toContain(output);
    // Open and Show in folder need the desktop app: the browser shows Download instead, not greyed-out buttons.
    expect(await card.getByRole('button', { name: /^(Open|Show in folder)\b/ }).count()).toBe(0);
    expect(await card.getByRole('link', { name: /^Download / }).count()).toBe(1);
    await saveScreenshot(page, 'queue-completed-light');
  });

  it('shows each job\'s stored thumbnail after the page is reloaded', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    const thumbnail = page.getByRole('article', { name: 'Job clip.mp4' }).getByTestId('job-thumbnail');
    await thumbnail.waitFor({ timeout: 15_000 });
    expect(await thumbnail.getAttribute('data-live')).toBe('false');
    expect(await thumbnail.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBe(96);
    await saveScreenshot(page, 'queue-reloaded-light');
  });

  it('cancels a running job and leaves no output', async () => {
    const outputFolder = temp.file('out-cancelled');
    await enqueueUpscale(longClip, 'realesr-animevideov3-x4', outputFolder);
    const card = page.getByRole('article', { name: 'Job long.mp4' });
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
    await expect.poll(async () => Number((await card.getByTestId('job-percent').textContent())?.replace('%', '')), { timeout: 90_000 }).toBeGreaterThan(0);
    await card.getByRole('button', { name: /^Cancel:/ }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('cancelled');
    await expect(card.getByRole('button', { name: /^Retry:/ }).isVisible()).resolves.toBe(true);
    const left = async () => (existsSync(outputFolder) ? await readdir(outputFolder) : []);
    await expect.poll(left, { timeout: 15_000 }).toEqual([]);
    await saveScreenshot(page, 'queue-cancelled-light');
  });

  it('previews a frame and moves the compare slider', async () => {
    await open('preview', 'Preview');
    await page.getByLabel('Video or image').fill(clip);
    await page.getByLabel(/^Frame \d+ of 24 /).waitFor({ timeout: 30_000 });
    await page.getByLabel(/^Frame \d+ of 24 /).fill('5');
    // Index 5 of the slider is the sixth of the clip's 24 frames.
    await page.getByLabel(/^Frame 6 of 24 /).waitFor();
    await page.getByRole('group', { name: 'Step 1: Upscale' }).getByLabel('Model').selectOption('realesr-animevideo-xs-x2');
    await page.getByRole('button', { name: 'Run on this frame' }).click();
    await page.getByRole('img', { name: 'After' }).waitFor({ timeout: 60_000 });
    expect(await page.getByText('96×64 → 192×128').isVisible()).toBe(true);
    expect(await page.getByTestId('slider-position').textContent()).toBe('Split at 50%');
    const slider = page.getByRole('slider', { name: /drag/ });
    await slider.focus();
    for (let press = 0; press < 5; press++) await page.keyboard.press('ArrowLeft');
    await expect.poll(async () => Number((await page.getByTestId('slider-position').textContent())?.match(/\d+/)?.[0])).toBeLessThan(35);
    const box = await page.locator('.compare-viewport img').first().boundingBox();
    if (!box) throw new Error('the compare view has no box');
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => Number((await page.getByTestId('slider-position').textContent())?.match(/\d+/)?.[0])).toBeGreaterThan(65);
    await page.getByRole('radio', { name: '2×' }).click();
    await saveScreenshot(page, 'preview-light');
  });

  it('renders a preview clip of a few frames and plays it in a video element', async () => {
    await page.getByLabel('Clip length (seconds)').fill('0.4');
    await page.getByRole('button', { name: 'Render a clip from this frame' }).click();
    const video = page.getByTestId('preview-clip');
    await video.waitFor({ timeout: 60_000 });
    await expect.poll(() => video.evaluate((element) => (element as unknown as { readyState: number }).readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const facts = await video.evaluate((element) => {
      const media = element as unknown as { duration: number; videoWidth: number; videoHeight: number; error: { code: number } | null };
      return { duration: media.duration, width: media.videoWidth, height: media.videoHeight, error: media.error ? media.error.code : null };
    });
    expect(facts.error).toBeNull();
    expect(facts.duration).toBeGreaterThan(0.3);
    expect(facts.duration).toBeLessThan(0.6);
    expect([facts.width, facts.height]).toEqual([192, 128]);
    expect(await page.getByText(/192×128, 10 frames from frame 6,/).isVisible()).toBe(true);
    await expect.poll(() => video.evaluate((element) => (element as unknown as { readyState: number }).readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await video.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'preview-clip-light');
  });

  it('edits, exports and re-imports a preset', async () => {
    await open('presets', 'Presets');
    await page.getByRole('button', { name: 'New preset' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('bad/name');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/a name of 1 to 64/);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await name.fill('E2E Sharpen');
    await page.getByLabel('Description').fill('made by the browser test');
    await page.getByRole('group', { name: 'Step 1: Upscale' }).getByLabel('Scale', { exact: true }).fill('99');
    await expect.poll(() => page.getByRole('group', { name: 'Step 1: Upscale' }).getByRole('alert').textContent()).toMatch(/16/);
    await page.getByRole('group', { name: 'Step 1: Upscale' }).getByLabel('Scale', { exact: true }).fill('2');
    await page.getByRole('group', { name: 'Step 1: Upscale' }).getByLabel('Model').selectOption('realesr-animevideo-xs-x2');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await expect.poll(() => page.getByRole('listbox', { name: 'Saved presets' }).textContent()).toContain('E2E Sharpen');
    await saveScreenshot(page, 'presets-light');

    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const download = await downloadPromise;
    const exported = await readFile(await download.path(), 'utf8');
    const parsed = JSON.parse(exported) as { name: string; description: string; steps: { kind: string; model: string; scale: number }[] };
    expect(parsed.name).toBe('E2E Sharpen');
    expect(parsed.description).toBe('made by the browser test');
    expect(parsed.steps).toEqual([expect.objectContaining({ kind: 'upscale', model: 'realesr-animevideo-xs-x2', scale: 2 })]);

    const reimport = temp.file('reimport.json');
    await writeFile(reimport, JSON.stringify({ ...parsed, name: 'E2E Sharpen again' }));
    await page.getByTestId('preset-import-file').setInputFiles(reimport);
    await page.getByRole('status').filter({ hasText: 'Imported' }).waitFor();
    await expect.poll(() => page.getByRole('listbox', { name: 'Saved presets' }).textContent()).toContain('E2E Sharpen again');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('E2E Sharpen again');
  });

  it('lists the model catalog with state, size and licence', async () => {
    await open('models', 'Models');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(3);
    const row = page.locator('tr[data-model-id="realesr-animevideov3-x4"]');
    const text = await row.textContent();
    expect(text).toContain('Real');
    expect(text).toMatch(/BSD|MIT|Apache/i);
    expect(text).toMatch(/\d+(\.\d)? (KB|MB)/);
    await saveScreenshot(page, 'models-light');
  });

  it('saves settings, switches to the dark theme and stays readable in a small window', async () => {
    await open('settings', 'Settings');
    await page.getByRole('list', { name: 'Available on this machine' }).waitFor();
    expect(await page.getByRole('list', { name: 'Available on this machine' }).textContent()).toContain('cpu');
    await saveScreenshot(page, 'settings-light');
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    for (const [screen, heading] of [['settings', 'Settings'], ['queue', 'Queue'], ['new', 'New job'], ['presets', 'Presets'], ['models', 'Models'], ['preview', 'Preview']] as const) {
      await open(screen, heading);
      if (screen === 'settings') await page.getByRole('list', { name: 'Available on this machine' }).waitFor();
      await page.waitForTimeout(300);
      await saveScreenshot(page, `${screen}-dark`);
    }
    await page.setViewportSize({ width: 520, height: 760 });
    for (const [screen, heading] of [['queue', 'Queue'], ['presets', 'Presets'], ['new', 'New job']] as const) {
      await open(screen, heading);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `${screen} scrolls sideways in a 520 px window`).toBeLessThanOrEqual(0);
      await saveScreenshot(page, `${screen}-small-dark`);
    }
    await page.getByLabel('Kind of step 1').focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<string>('document.activeElement?.outerHTML.slice(0, 200) ?? "nothing"');
    expect(await page.evaluate<string | undefined>('document.activeElement?.labels?.[0]?.textContent ?? undefined'), focused).toBe('Model');
    await page.setViewportSize({ width: 1280, height: 800 });
    await open('settings', 'Settings');
    await page.getByLabel('Theme').selectOption('light');
  });
});
