// The desktop app through Playwright's Electron mode: the window opens, the
// preload's window.framesmith answers, and the queue screen renders. Needs the
// Electron binary (node_modules/electron/dist, fetched by Electron's installer
// where the network allows) and the app's main entry; says loudly when it
// skips for lack of either.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/media-fixtures.ts';
import { repoRoot } from '../helpers/shared-assets.ts';
import { buildRenderer } from './renderer-build.ts';
import { saveScreenshot } from './screenshots.ts';

function electronBinary(): string | undefined {
  const packageDir = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  const binary = existsSync(pathFile) ? path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined;
  if (!binary || !existsSync(binary)) {
    console.warn('\n*** SKIPPED: Electron end-to-end tests: the Electron binary is not installed (node_modules/electron/dist is missing; its download from GitHub needs network access). Run "npm start" where the network allows, then run these tests again. ***\n');
    return undefined;
  }
  const main = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main?: string };
  if (!main.main || !existsSync(path.join(repoRoot, main.main))) {
    console.warn(`\n*** SKIPPED: Electron end-to-end tests: package.json "main" (${main.main ?? 'not set'}) does not name a built Electron entry. ***\n`);
    return undefined;
  }
  return binary;
}

const binary = electronBinary();

describe.skipIf(!binary)('the desktop app in Electron', () => {
  it('opens a window whose UI talks to window.framesmith', async () => {
    await buildRenderer();
    const data = await makeTempDir('framesmith-electron-');
    const app = await electron.launch({
      executablePath: binary as string,
      args: [repoRoot, '--no-sandbox', '--disable-gpu'],
      env: { ...process.env, FRAMESMITH_DATA: data.file('data'), FRAMESMITH_CACHE: data.file('cache') } as Record<string, string>,
    });
    try {
      const page = await app.firstWindow();
      await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor({ timeout: 60_000 });
      expect(await page.evaluate<string>('typeof window.framesmith')).toBe('object');
      expect(await page.getByRole('navigation').textContent()).toContain('Desktop');
      await saveScreenshot(page, 'electron-queue');
    } finally {
      await app.close();
      await data.dispose();
    }
  });
});
