// The desktop app's security pieces that run without Electron: engine-host
// frames are validated (malformed ones dropped), preview clips must lie in
// the preview folder (no traversal, no symlink out), shell:openPath opens
// only outputs the engine reported and never a network path, the host is
// restarted with a growing delay and given up after quick crashes, and the
// page's CSP lets framesmith-preview: images in.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobSnapshot } from '../../../common/jobs.ts';
import { isInsideFolder, parseHostMessage } from '../../../electron/host-messages.ts';
import { HostRestartPolicy } from '../../../electron/host-restart.ts';
import { isNetworkPath, ReportedOutputs } from '../../../electron/reported-outputs.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

describe('engine host frames', () => {
  it('accepts the contract shapes and drops anything else', () => {
    expect(parseHostMessage({ type: 'response', id: 3, result: { ok: true, value: { a: 1 } } })).toBeDefined();
    expect(parseHostMessage({ type: 'response', id: 3, result: { ok: false, error: { code: 'INVALID_ARGUMENT', userMessage: 'x' } } })).toBeDefined();
    expect(parseHostMessage({ type: 'event', channel: 'jobs:event', event: {} })?.type).toBe('event');
    const problems: string[] = [];
    for (const bad of [null, 'x', { type: 'response', id: -1, result: { ok: true } }, { type: 'response', id: 1, result: { ok: false, error: { code: 'NOPE', userMessage: 'x' } } },
      { type: 'event', channel: 'shell:openPath', event: {} }, { type: 'fatal' }, { type: 'exec', command: 'rm -rf /' }]) {
      expect(parseHostMessage(bad, (problem) => problems.push(problem))).toBeUndefined();
    }
    expect(problems).toHaveLength(7);
  });
});

describe('preview clip folder', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'framesmith-clips-'));
    await mkdir(path.join(root, 'preview-clips'));
    await writeFile(path.join(root, 'preview-clips', 'a.webm'), 'x');
    await writeFile(path.join(root, 'secret.txt'), 'x');
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'preview-clips', 'link.webm'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('only files inside the folder, after symlinks', () => {
    const folder = path.join(root, 'preview-clips');
    expect(isInsideFolder(path.join(folder, 'a.webm'), folder)).toBe(true);
    expect(isInsideFolder(path.join(folder, '..', 'secret.txt'), folder)).toBe(false);
    expect(isInsideFolder(path.join(folder, 'link.webm'), folder)).toBe(false);
    expect(isInsideFolder(folder, folder)).toBe(false);
    expect(isInsideFolder('preview-clips/a.webm', folder)).toBe(false);
    expect(isInsideFolder('/etc/passwd', folder)).toBe(false);
  });
});

describe('shell:openPath targets', () => {
  function stateEvent(outputs: string[]): JobEvent {
    const job = { items: outputs.map((output) => ({ input: '/in/a.mp4', output, state: 'completed', framesDone: 1, framesTotal: 1, error: null })) } as unknown as JobSnapshot;
    return { type: 'state', job };
  }

  it('opens reported outputs and their folders, nothing else', () => {
    const outputs = new ReportedOutputs();
    outputs.observe(stateEvent(['/home/u/out/a-upscaled-x4.mp4']));
    expect(outputs.canOpen('/home/u/out/a-upscaled-x4.mp4')).toBe(true);
    expect(outputs.canOpen('/home/u/out')).toBe(true);
    expect(outputs.canOpen('/home/u/out/')).toBe(true);
    expect(outputs.canOpen('/home/u/out/../out/a-upscaled-x4.mp4')).toBe(true);
    expect(outputs.canOpen('/home/u/out/other.mp4')).toBe(false);
    expect(outputs.canOpen('/Applications/Calculator.app')).toBe(false);
    expect(outputs.canOpen('/home/u')).toBe(false);
    expect(outputs.canOpen('out/a-upscaled-x4.mp4')).toBe(false);
  });

  it('never a network path, even one the engine reported', () => {
    const outputs = new ReportedOutputs(path.win32);
    outputs.observe(stateEvent(['\\\\evil\\share\\a.mp4', 'C:\\Users\\u\\Videos\\a-x4.mp4']));
    expect(isNetworkPath('\\\\evil\\share\\a.mp4')).toBe(true);
    expect(isNetworkPath('//evil/share')).toBe(true);
    expect(outputs.canOpen('\\\\evil\\share\\a.mp4')).toBe(false);
    expect(outputs.canOpen('\\\\evil\\share')).toBe(false);
    expect(outputs.canOpen('C:\\Users\\u\\Videos\\a-x4.mp4')).toBe(true);
    expect(outputs.canOpen('C:\\Users\\u\\Videos')).toBe(true);
  });
});

describe('engine host restarts', () => {
  it('backs off and stops after three crashes within a minute', () => {
    const policy = new HostRestartPolicy();
    expect(policy.crashed(0).delayMs).toBe(1000);
    expect(policy.crashed(2_000).delayMs).toBe(2000);
    expect(policy.crashed(5_000)).toEqual({ delayMs: undefined, crashes: 3 });
  });

  it('a host that ran for a while starts the count afresh', () => {
    const policy = new HostRestartPolicy();
    expect(policy.crashed(0).delayMs).toBe(1000);
    expect(policy.crashed(10_000).delayMs).toBe(2000);
    expect(policy.crashed(200_000).delayMs).toBe(1000);
  });
});

describe('renderer CSP', () => {
  it('the page lets framesmith-preview: images and media in', async () => {
    const html = await readFile(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directive = (name: string): string => csp.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${name} `)) ?? '';
    expect(directive('img-src')).toContain('framesmith-preview:');
    expect(directive('media-src')).toContain('framesmith-preview:');
  });
});
