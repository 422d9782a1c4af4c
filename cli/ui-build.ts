// The built UI, made on demand: `framesmith serve` and `npm start` call
// ensureUiBuilt() so that a fresh checkout never serves a 503 page. The UI
// (dist/renderer) is built with Vite when it is missing or older than any of
// its sources (renderer/, common/, the Vite and base TypeScript configs,
// package.json), with one line saying so. An installed copy without the
// sources or without Vite is left as it is. The build goes to a temporary folder beside dist/renderer
// and replaces it only when complete, so a failed build leaves the old UI,
// and a page is never served from half a build.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Where the sources and the output of the UI lie in a checkout. */
export function uiPaths(root: string): { outDir: string; index: string; sources: string[]; vite: string } {
  return {
    outDir: path.join(root, 'dist', 'renderer'),
    index: path.join(root, 'dist', 'renderer', 'index.html'),
    sources: ['renderer', 'common', 'vite.config.ts', 'tsconfig.base.json', 'package.json'].map((entry) => path.join(root, entry)),
    vite: path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
  };
}

export type UiState =
  | { kind: 'fresh' }
  | { kind: 'missing' }
  | { kind: 'stale'; newerSource: string }
  /** No renderer sources here (an installed copy): whatever is built is what there is. */
  | { kind: 'no-sources' };

/** The newest file under `entry` (a file or a folder), as [mtimeMs, path]. */
async function newestFile(entry: string): Promise<[number, string] | undefined> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) return [info.mtimeMs, entry];
  let newest: [number, string] | undefined;
  for (const name of await readdir(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const found = await newestFile(path.join(entry, name));
    if (found && (!newest || found[0] > newest[0])) newest = found;
  }
  return newest;
}

/** Whether the UI under `root` needs building, and why. */
export async function uiState(root: string): Promise<UiState> {
  const paths = uiPaths(root);
  if (!existsSync(path.join(root, 'renderer', 'index.html'))) return { kind: 'no-sources' };
  const built = await stat(paths.index).catch(() => undefined);
  if (!built) return { kind: 'missing' };
  for (const source of paths.sources) {
    const newest = await newestFile(source);
    if (newest && newest[0] > built.mtimeMs) return { kind: 'stale', newerSource: path.relative(root, newest[1]) };
  }
  return { kind: 'fresh' };
}

export type UiBuildOutcome = 'fresh' | 'built' | 'no-sources' | 'no-vite' | 'failed';

export interface EnsureUiOptions {
  /** The checkout's root (with renderer/ and node_modules/). */
  root: string;
  /** One line for the person at the terminal (no trailing newline). */
  notice: (line: string) => void;
}

function runVite(vite: string, root: string, outDir: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, output: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** Builds the UI when it is missing or stale; says what it does in one line. Never throws for a failed build: the caller serves what there is. */
export async function ensureUiBuilt(options: EnsureUiOptions): Promise<UiBuildOutcome> {
  const state = await uiState(options.root);
  if (state.kind === 'fresh' || state.kind === 'no-sources') return state.kind;
  const paths = uiPaths(options.root);
  const why = state.kind === 'missing' ? 'it is not built yet' : `it is older than ${state.newerSource}`;
  if (!existsSync(paths.vite)) {
    options.notice(`The UI needs building (${why}), but Vite is not installed here: run "npm install", then "npm run build:renderer".`);
    return 'no-vite';
  }
  options.notice(`Building the UI (vite build), because ${why} ...`);
  const temporary = `${paths.outDir}.building-${process.pid}`;
  const result = await runVite(paths.vite, options.root, temporary);
  if (!result.ok || !existsSync(path.join(temporary, 'index.html'))) {
    await rm(temporary, { recursive: true, force: true });
    options.notice(`Building the UI failed; run "npm run build:renderer" to see why.\n${result.output.trim()}`);
    return 'failed';
  }
  await rm(paths.outDir, { recursive: true, force: true });
  await rename(temporary, paths.outDir);
  return 'built';
}
