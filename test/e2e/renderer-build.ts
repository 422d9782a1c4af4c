// Builds the renderer with Vite (the same config as `npm run build:renderer`)
// so the browser tests run against a fresh dist/renderer from a clean checkout.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import { repoRoot } from '../helpers/shared-assets.ts';

export const rendererDist = path.join(repoRoot, 'dist', 'renderer');

export async function buildRenderer(): Promise<void> {
  await build({ configFile: path.join(repoRoot, 'vite.config.ts'), root: path.join(repoRoot, 'renderer'), logLevel: 'warn' });
  if (!existsSync(path.join(rendererDist, 'index.html'))) throw new Error(`vite build left no ${rendererDist}/index.html`);
}
