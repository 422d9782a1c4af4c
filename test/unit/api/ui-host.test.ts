// The UI-host resolver both hosts use (Electron's app protocol and `framesmith
// serve`), on a real folder: files, client-side routes, missing assets, a UI
// that was never built, traversal and a symlink that leads out.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUiRequest, uiFilesOver } from '../../../common/api/ui-host.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

describe('UI host resolver', () => {
  let temp: TempDir;
  let ui: string;
  const files = uiFilesOver(fs, path);

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-ui-host-');
    ui = temp.file('ui');
    await mkdir(path.join(ui, 'assets'), { recursive: true });
    await writeFile(path.join(ui, 'index.html'), '<!doctype html>');
    await writeFile(path.join(ui, 'assets', 'app.js'), 'export {};');
    await writeFile(temp.file('secret.txt'), 'secret');
    await symlink(temp.file('secret.txt'), path.join(ui, 'assets', 'leak.txt'));
  });

  afterAll(async () => {
    await temp?.dispose();
  });

  it('serves files with their type and the page for the root and client-side routes', async () => {
    expect(await resolveUiRequest(ui, '/assets/app.js', files)).toMatchObject({ kind: 'file', file: path.join(ui, 'assets', 'app.js'), contentType: 'text/javascript; charset=utf-8', isPage: false });
    for (const route of ['/', '/queue', '/settings/models', '/assets']) {
      expect(await resolveUiRequest(ui, route, files), route).toMatchObject({ kind: 'file', file: path.join(ui, 'index.html'), isPage: true });
    }
  });

  it('answers 404 for a missing asset and 403 for paths that leave the folder', async () => {
    expect(await resolveUiRequest(ui, '/assets/missing.js', files)).toMatchObject({ kind: 'not-found', status: 404 });
    for (const bad of ['/../secret.txt', '/..%2fsecret.txt', '/%00', '/assets/leak.txt', '/%E0%A4%A']) {
      expect(await resolveUiRequest(ui, bad, files), bad).toMatchObject({ status: 403 });
    }
  });

  it('says how to build the UI when it was never built', async () => {
    const empty = temp.file('not-built');
    for (const target of ['/', '/queue', '/assets/app.js']) {
      const answer = await resolveUiRequest(empty, target, files);
      expect(answer, target).toMatchObject({ kind: 'not-built', status: 503 });
      if (answer.kind === 'not-built') expect(answer.message).toContain('npm run build:renderer');
    }
  });
});
