#!/usr/bin/env node
// The `framesmith` command. In a checkout it runs the TypeScript CLI straight
// from the sources (tsx compiles on load), so no build step stands between
// `npm install` and `npx framesmith`. An installed copy ships the compiled
// CLI (scripts/build-cli.mjs, run by "prepack") without the sources, and
// runs that: no compiler at start-up. The sources win whenever they are
// present, so a checkout never runs a stale bundle.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(packageRoot, 'cli', 'main.ts');
const compiled = path.join(packageRoot, 'dist', 'cli', 'framesmith.mjs');

if (!existsSync(sources) && existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
