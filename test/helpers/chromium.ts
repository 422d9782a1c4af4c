// Debian's Chromium driven by playwright-core (never a downloaded browser):
// a fresh profile per launch, removed on dispose. Where Chromium is missing,
// chromiumPath() prints a loud SKIPPED line and answers undefined, so suites
// use describe.skipIf(!chromiumPath()).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!found) {
    console.warn(`\n*** SKIPPED: no Chromium found (looked at CHROMIUM_PATH, ${CANDIDATES.join(', ')}). Install it with "apt-get install -y chromium" to run the browser tests. ***\n`);
  }
  return found;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface ChromiumSession {
  readonly context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  dispose(): Promise<void>;
}

/** Launches headless Chromium with a fresh user-data-dir and downloads allowed. */
export async function launchChromium(executablePath: string): Promise<ChromiumSession> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'framesmith-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async dispose() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
