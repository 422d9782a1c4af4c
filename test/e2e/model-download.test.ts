// Models where they are picked, in Debian's Chromium against the real
// `framesmith serve --no-shared-models`: nothing is installed, so every model
// is offered for download where it is chosen (quick start, New job, Preview,
// the preset editor) with its size and licence; the download comes from a
// local mirror of the GitHub raw host started here (serving the very files
// under ../shared/models that the catalog pins by sha256), shows its
// progress while the mirror holds it at half, and the job starts by itself
// once the model is in, runs on the real engine and finishes. Also the
// picker: the recommended RIFE versions first, the rest under "Other
// versions", and each model's full description never cut off.
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, type ChromiumSession } from '../helpers/chromium.ts';
import { makeClip, makeTempDir, type TempDir } from '../helpers/media-fixtures.ts';
import { GITHUB_RAW, startModelMirror, type ModelMirror } from '../helpers/model-mirror.ts';
import { sharedModelsDir } from '../helpers/shared-assets.ts';
import { buildRenderer } from './renderer-build.ts';
import { saveScreenshot } from './screenshots.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const browserPath = chromiumPath();
const modelsRoot = sharedModelsDir();
/** The quick start's upscale model (an ONNX file) and a small ncnn model converted on install. */
const DOWNLOADS = ['realesr-general-x4v3', 'realesr-animevideov3-x2'] as const;
const SIZES = [{ width: 1280, height: 800 }, { width: 700, height: 900 }] as const;

/** Saves the page at both sizes, then goes back to the first. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await saveScreenshot(page, `${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize(SIZES[0]);
}

/** Whether an element's text fits inside it (nothing cut off or hidden by overflow). */
function fits(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element as unknown as { scrollWidth: number; clientWidth: number; getBoundingClientRect(): { right: number } };
    const viewport = (globalThis as unknown as { innerWidth: number }).innerWidth;
    return box.scrollWidth <= box.clientWidth + 1 && box.getBoundingClientRect().right <= viewport;
  });
}

describe.skipIf(!browserPath || !modelsRoot)('models where they are picked, downloaded from a local mirror, in Chromium through serve', () => {
  let temp: TempDir;
  let mirror: ModelMirror | undefined;
  let serve: ServeProcess;
  let browser: ChromiumSession;
  let page: Page;
  let clip: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-e2e-models-');
    mirror = await startModelMirror(DOWNLOADS, modelsRoot as string);
    if (!mirror) {
      console.warn(`\n*** SKIPPED: the files of ${DOWNLOADS.join(', ')} are not under ${modelsRoot} ***\n`);
      return;
    }
    await buildRenderer();
    clip = await makeClip(temp.path, { name: 'clip.mp4', frames: 6, width: 64, height: 48 });
    serve = await startServe({
      dataDir: temp.file('data'),
      cacheDir: temp.file('cache'),
      // Nothing installed: no shared models, no FRAMESMITH_MODELS, downloads only from the mirror.
      env: { FRAMESMITH_MODELS: undefined },
      args: ['--no-shared-models', '--mirror', `${GITHUB_RAW}=${mirror.url}`],
    });
    browser = await launchChromium(browserPath as string);
    page = await browser.newPage(SIZES[0]);
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    page.on('response', (response) => { if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`); });
    await page.goto(serve.url);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.dispose();
    await serve?.stop();
    await mirror?.close();
    await temp?.dispose();
  });

  async function openScreen(link: string, heading: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  it('the interpolation picker shows the recommended RIFE versions first and folds the others', async ({ skip }) => {
    if (!mirror) skip();
    await openScreen('New job', 'New job');
    await page.getByLabel('Kind of step 1').selectOption('interpolate');
    const select = page.getByRole('group', { name: 'Step 1: Interpolate' }).getByLabel('Model');
    await select.locator('option[value="rife-v4.25"]').waitFor({ state: 'attached', timeout: 15_000 });
    // The test layer has no DOM types: the optgroup is described by the little of it this reads.
    type Labelled = { getAttribute(name: string): string | null };
    const groups = await select.locator('optgroup').evaluateAll((elements) => (elements as unknown as (Labelled & { querySelectorAll(selector: string): Iterable<Labelled> })[]).map((element) => ({
      label: element.getAttribute('label'),
      ids: [...element.querySelectorAll('option')].map((option) => option.getAttribute('value')),
    })));
    expect(groups.map((group) => group.label)).toEqual(['Recommended', 'Other versions']);
    expect(groups[0]?.ids).toEqual(expect.arrayContaining(['rife-v4.6', 'rife-v4.25', 'rife-v4.26', 'rife-v4.22-lite']));
    expect(groups[0]?.ids.length).toBeLessThanOrEqual(5);
    expect(groups[1]?.ids.length).toBeGreaterThan(40);
    // The reason is in the option, in words; nothing is installed, so each says so.
    expect(await select.locator('option[value="rife-v4.25"]').textContent()).toBe('RIFE v4.25 — the version upstream (Practical-RIFE) recommends (Not downloaded)');
    await select.selectOption('rife-v4.25');
    const facts = page.getByRole('group', { name: 'Step 1: Interpolate' }).getByTestId('model-facts');
    expect(await facts.textContent()).toMatch(/^Interpolate · .+ · Not downloaded$/);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      expect(await fits(facts), `model facts fit at ${size.width} px`).toBe(true);
    }
    await page.setViewportSize(SIZES[0]);
    expect(consoleErrors).toEqual([]);
  });

  it('quick start: the upscale model is offered with size and licence, downloads from the mirror with progress, and the job starts by itself', async ({ skip }) => {
    if (!mirror) skip();
    await openScreen('Queue', 'Queue');
    await page.getByTestId('quick-file-input').setInputFiles(clip);
    const panel = page.getByTestId('quick-start');
    await panel.waitFor({ timeout: 30_000 });
    const offer = panel.getByTestId('quick-download');
    await offer.waitFor({ timeout: 15_000 });
    expect(await offer.textContent()).toBe('Real-ESRGAN general x4 (v3) is not on this machine yet: 2.3 MB, licence BSD-3-Clause (Real-ESRGAN weights, (c) 2021 Xintao Wang). Start downloads it first.');
    await shoot(page, 'models-quick-offer');

    mirror!.holdNext();
    await panel.getByRole('button', { name: 'Download and start' }).click();
    const bar = panel.getByRole('progressbar', { name: 'Download of Real-ESRGAN general x4 (v3)' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 30_000 }).toMatch(/^(4\d|50)(\.\d)?$/);
    expect(await offer.textContent()).toMatch(/^Downloading Real-ESRGAN general x4 \(v3\)…1\.\d MB of 2\.3 MB$|^Downloading Real-ESRGAN general x4 \(v3\)…1\d{3} KB of 2\.3 MB$/);
    await shoot(page, 'models-quick-progress');
    mirror!.release();

    const card = page.getByRole('article', { name: 'Job clip.mp4' });
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toMatch(/running|completed/);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed');
    expect(mirror!.requests).toContain('/gaoxing64/MPV-lazy-full/fa927edc11f2f64fdac2ad76c26f7550b2ea498c/vs-plugins/models/xinntao_realesrV3_general_x4_fp16_op14.onnx');
    expect(consoleErrors).toEqual([]);
  }, 240_000);

  it('Preview and the preset editor offer an uninstalled model right where it is picked', async ({ skip }) => {
    if (!mirror) skip();
    for (const [link, heading, open] of [['Preview', 'Preview', null], ['Presets', 'Presets', 'New preset']] as const) {
      await openScreen(link, heading);
      if (open) await page.getByRole('button', { name: open }).click();
      const step = page.getByRole('group', { name: 'Step 1: Upscale' });
      await step.getByLabel('Model').selectOption('realesr-animevideov3-x2');
      const offer = page.getByTestId('model-offer');
      await offer.waitFor({ timeout: 10_000 });
      expect(await offer.textContent()).toMatch(/^Real-ESRGAN anime video x2 \(v3\) is not on this machine yet: 1\.2 MB, licence BSD-3-Clause/);
      expect(await offer.getByRole('button', { name: 'Download Real-ESRGAN anime video x2 (v3)' }).isEnabled()).toBe(true);
      expect(await step.getByTestId('model-facts').textContent()).toBe('Upscale ×2 · Small x2 upscaler for anime and cartoon video. · Not downloaded');
    }
    expect(consoleErrors).toEqual([]);
  });

  it('New job: an uninstalled model is offered under its step; "Download model and add to queue" fetches it, then the job runs', async ({ skip }) => {
    if (!mirror) skip();
    await openScreen('New job', 'New job');
    await page.getByRole('button', { name: 'Add files…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Choose files' });
    await dialog.getByLabel('Folder path').fill(temp.path);
    await dialog.getByRole('button', { name: 'Go' }).click();
    await dialog.getByRole('button', { name: path.basename(clip) }).click();
    await dialog.getByRole('button', { name: 'Choose', exact: true }).click();
    const step = page.getByRole('group', { name: 'Step 1: Upscale' });
    await step.getByLabel('Scale', { exact: true }).fill('2');
    await step.getByLabel('Model').selectOption('realesr-animevideov3-x2');
    await page.getByLabel('Output folder').fill(temp.file('out-new'));
    const offer = page.getByTestId('model-offer');
    await offer.waitFor({ timeout: 10_000 });
    expect(await offer.textContent()).toMatch(/1\.2 MB, licence BSD-3-Clause/);
    const add = page.getByRole('button', { name: 'Download model and add to queue' });
    await expect.poll(() => add.isDisabled(), { timeout: 30_000 }).toBe(false);
    expect(await fits(step.getByTestId('model-facts'))).toBe(true);
    await shoot(page, 'models-new-job-offer');

    mirror!.holdNext();
    await add.click();
    const bar = offer.getByRole('progressbar', { name: 'Download of Real-ESRGAN anime video x2 (v3)' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 30_000 }).toMatch(/^(4\d|50)(\.\d)?$/);
    expect(await offer.getByTestId('model-offer-bytes').textContent()).toMatch(/^6\d\d KB of 1\.2 MB$/);
    await shoot(page, 'models-new-job-progress');
    mirror!.release();

    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 120_000 });
    const card = page.getByRole('article', { name: 'Job clip.mp4' }).filter({ has: page.getByTestId('job-what').filter({ hasText: 'realesr-animevideov3-x2' }) });
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 120_000 }).toBe('completed');
    expect(await card.getByTestId('job-what').textContent()).toBe('Upscale ×2 (realesr-animevideov3-x2)');
    expect(mirror!.requests.filter((url) => url.includes('realesr-animevideov3-x2.'))).toHaveLength(2);
    await openScreen('Models', 'Models');
    await expect.poll(() => page.getByRole('row', { name: /Real-ESRGAN anime video x2 \(v3\)/ }).textContent()).toMatch(/Downloaded/);
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
