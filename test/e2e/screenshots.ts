// Screenshots of the UI for people to look at: test-artifacts/screens/<name>.png
// (gitignored), written by the browser tests.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/shared-assets.ts';

export const screenshotDir = path.join(repoRoot, 'test-artifacts', 'screens');

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
