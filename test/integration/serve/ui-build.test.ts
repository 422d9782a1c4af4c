// No newcomer meets a 503: `framesmith serve` (and `npm start`, through the
// same ensureUiBuilt) builds the UI with the real Vite when dist/renderer is
// missing or older than its sources, saying so in one line. Checked on a
// copy of the UI's sources (missing, fresh, a failed build that keeps the old
// UI, an installed copy without sources) and on the real `framesmith serve`
// of this checkout with its built UI made older than its sources.
import { cp, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, uiPaths, uiState } from '../../../cli/ui-build.ts';
import { startServe } from '../../e2e/serve-process.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

describe('building the UI on demand', () => {
  let temp: TempDir;
  let root: string;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-ui-build-');
    root = temp.file('checkout');
    await mkdir(root, { recursive: true });
    for (const entry of ['renderer', 'common', 'vite.config.ts', 'tsconfig.base.json', 'package.json']) await cp(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
    await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  });

  afterAll(async () => {
    await temp?.dispose();
  });

  it('builds a missing UI with a one-line notice, then leaves a fresh one alone', async () => {
    expect(await uiState(root)).toEqual({ kind: 'missing' });
    const notices: string[] = [];
    expect(await ensureUiBuilt({ root, notice: (line) => notices.push(line) })).toBe('built');
    expect(notices).toEqual(['Building the UI (vite build), because it is not built yet ...']);
    const index = await readFile(uiPaths(root).index, 'utf8');
    expect(index).toContain('<script type="module"');
    expect(await uiState(root)).toEqual({ kind: 'fresh' });
    expect(await ensureUiBuilt({ root, notice: (line) => notices.push(line) })).toBe('fresh');
    expect(notices).toHaveLength(1);
  });

  it('rebuilds when a source is newer, and keeps the old UI when that build fails', async () => {
    const source = path.join(root, 'renderer', 'format.ts');
    await writeFile(source, `${await readFile(source, 'utf8')}\nexport const broken = ;\n`);
    const later = new Date(Date.now() + 60_000);
    await utimes(source, later, later);
    expect(await uiState(root)).toEqual({ kind: 'stale', newerSource: path.join('renderer', 'format.ts') });
    const before = await readFile(uiPaths(root).index, 'utf8');
    const notices: string[] = [];
    expect(await ensureUiBuilt({ root, notice: (line) => notices.push(line) })).toBe('failed');
    expect(notices[0]).toBe(`Building the UI (vite build), because it is older than ${path.join('renderer', 'format.ts')} ...`);
    expect(notices[1]).toMatch(/^Building the UI failed; run "npm run build:renderer" to see why\./);
    expect(await readFile(uiPaths(root).index, 'utf8')).toBe(before);
    expect(existsSync(`${uiPaths(root).outDir}.building-${process.pid}`)).toBe(false);
  });

  it('leaves an installed copy without UI sources alone', async () => {
    await rm(path.join(root, 'renderer'), { recursive: true, force: true });
    expect(await ensureUiBuilt({ root, notice: () => undefined })).toBe('no-sources');
  });

  it('framesmith serve builds a UI older than its sources before it prints the URL, and serves the page', async () => {
    const index = uiPaths(repoRoot).index;
    if (existsSync(index)) {
      const old = new Date('2000-01-01T00:00:00Z');
      await utimes(index, old, old);
    }
    const serve = await startServe({ dataDir: temp.file('data'), cacheDir: temp.file('cache'), timeoutMs: 180_000 });
    try {
      expect(serve.output()).toMatch(/framesmith serve: Building the UI \(vite build\), because it (is not built yet|is older than \S+) \.\.\./);
      const page = await get(serve.url);
      expect(page.status, page.body).toBe(200);
      expect(page.body).toContain('<div id="root">');
      expect(await uiState(repoRoot)).toEqual({ kind: 'fresh' });
    } finally {
      await serve.stop();
    }
  });
});
