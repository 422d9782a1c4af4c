// Vitest global setup: where no system Chromium exists (chromium.ts's
// candidates), a Chromium carried by the npm package @sparticuz/chromium
// serves, when that package is installed: its compressed headless build is
// unpacked once (into the temp folder) and named in CHROMIUM_PATH, which
// chromium.ts reads first. Without either, the browser tests skip loudly.
import { existsSync } from 'node:fs';
import { CANDIDATES } from './chromium.ts';

interface CarriedChromium {
  default: { executablePath(): Promise<string> };
}

export async function setup(): Promise<void> {
  if (process.env.CHROMIUM_PATH || CANDIDATES.some((candidate) => existsSync(candidate))) return;
  const name = '@sparticuz/chromium';
  try {
    const carried = (await import(name)) as CarriedChromium;
    process.env.CHROMIUM_PATH = await carried.default.executablePath();
    console.warn(`Chromium for the browser tests: ${process.env.CHROMIUM_PATH} (from ${name})`);
  } catch {
    // Not installed: chromiumPath() says SKIPPED.
  }
}
