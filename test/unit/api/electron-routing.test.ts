// The Electron side that can run without Electron: main's router (who may ask,
// validation, native vs engine), the main <-> engine-host protocol over a real
// MessageChannel, the taskbar progress and notifications, the window state,
// the preview cache, and the bundled preload (run in a VM context with a
// stand-in for the 'electron' module, the one thing missing here).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobEvent, JobSnapshot } from '../../../common/jobs.ts';
import type { Progress } from '../../../common/progress.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';
import { EngineHostLink, serveHostRequests } from '../../../electron/engine-link.ts';
import { IpcRouter, type MainHandlers } from '../../../electron/ipc-router.ts';
import { JobNotifier } from '../../../electron/job-notifier.ts';
import { PreviewCache } from '../../../electron/preview-cache.ts';
import { fitToDisplays } from '../../../electron/window-state.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

function connectHost(): { link: EngineHostLink; events: unknown[]; emit: (event: unknown) => void; stop: AbortController } {
  const dispatcher = new ApiDispatcher({
    'files:home': async () => '/home/test',
    'jobs:reorder': async ({ toIndex }) => {
      if (toIndex > 5) throw new Error('unexpected');
      return [];
    },
  });
  const listeners = new Set<(event: unknown) => void>();
  const stop = new AbortController();
  const receive = serveHostRequests(
    {
      dispatch: (name, request, context) => dispatcher.dispatch(name, request, context),
      subscribe: (group, listener) => {
        if (group !== 'jobs') return () => undefined;
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    (message) => channel.port2.postMessage(message),
    stop.signal,
  );
  channel.port2.on('message', receive);
  const events: unknown[] = [];
  const link = new EngineHostLink((message) => channel.port1.postMessage(message), (name, event) => events.push([name, event]));
  channel.port1.on('message', (message) => link.receive(message));
  return { link, events, emit: (event) => listeners.forEach((listener) => listener(event)), stop };
}

describe('Electron main routing', () => {
  const host = connectHost();
  const nativeCalls: string[] = [];
  const main: MainHandlers = {
    'dialogs:openFiles': async ({ multiple }) => {
      nativeCalls.push(`openFiles multiple=${multiple}`);
      return ['/a.mp4'];
    },
    'dialogs:openFolder': async () => null,
    'dialogs:saveFile': async () => null,
    'shell:openPath': async () => null,
    'shell:showInFolder': async () => null,
  };
  const router = new IpcRouter({ main, engine: host.link, trustedSender: (url) => url.startsWith('framesmith-app://ui/') });
  const page = 'framesmith-app://ui/index.html';

  it('answers native requests in main, validated, with defaults applied', async () => {
    expect(await router.handle('dialogs:openFiles', {}, page)).toEqual({ ok: true, value: ['/a.mp4'] });
    expect(nativeCalls).toEqual(['openFiles multiple=true']);
    expect(await router.handle('dialogs:openFiles', { multiple: 'yes' }, page)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(nativeCalls).toHaveLength(1);
  });

  it('forwards engine requests to the host over a MessagePort and returns its envelope', async () => {
    expect(await router.handle('files:home', undefined, page)).toEqual({ ok: true, value: '/home/test' });
    expect(await router.handle('jobs:reorder', { id: 'a', toIndex: 9 }, page)).toMatchObject({ ok: false, error: { code: 'BUG' } });
    expect(await router.handle('system:doctor', undefined, page)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
  });

  it('never forwards what it could not validate, nor requests from other pages', async () => {
    const before = host.link.pendingCount;
    expect(await router.handle('jobs:reorder', { id: 'a', toIndex: -3 }, page)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await router.handle('jobs:reorder', { id: 'a', toIndex: 1 }, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(await router.handle('__proto__', {}, page)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(host.link.pendingCount).toBe(before);
  });

  it('passes engine events to main and fails pending requests when the host dies', async () => {
    host.emit({ type: 'removed', jobId: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(host.events).toEqual([['jobs:event', { type: 'removed', jobId: 'x' }]]);
    const lonely = new EngineHostLink(() => undefined, () => undefined);
    const pending = lonely.request('files:home', undefined);
    lonely.hostGone('it exited with code 1');
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CONNECTION_LOST' } });
    expect(await lonely.request('files:home', undefined)).toMatchObject({ ok: false, error: { code: 'CONNECTION_LOST' } });
  });
});

function job(id: string, state: JobSnapshot['state'], fraction = 0): JobSnapshot {
  const progress: Progress = { stage: 'process', itemIndex: 0, itemCount: 1, framesDone: 0, framesTotal: 10, fps: 1, etaMs: null, fraction };
  return {
    id: id as JobSnapshot['id'],
    state,
    spec: { inputs: ['/in.mp4'], steps: [{ kind: 'upscale', model: 'm' }], nameTemplate: '{name}', recursive: false, renderOn: 'local' },
    presetId: null,
    label: 'upscale',
    items: [{ input: '/in.mp4', output: '/out/in-upscale.mp4', state, framesDone: 0, framesTotal: 10, error: null }],
    progress,
    error: state === 'failed' ? { code: 'DISK_FULL', userMessage: 'The disk is full.' } : null,
    position: null,
    createdAt: '',
    startedAt: null,
    finishedAt: null,
  };
}

describe('taskbar progress and notifications', () => {
  it('shows the mean fraction of running jobs and notifies on finish and failure only', () => {
    const notifier = new JobNotifier();
    const events: JobEvent[] = [
      { type: 'state', job: job('a', 'queued') },
      { type: 'state', job: job('a', 'running') },
      { type: 'state', job: job('b', 'running') },
      { type: 'progress', jobId: job('a', 'running').id, progress: { ...job('a', 'running').progress!, fraction: 0.5 } },
    ];
    expect(events.map((event) => notifier.observe(event))).toEqual([undefined, undefined, undefined, undefined]);
    expect(notifier.progress()).toBeCloseTo(0.25);
    expect(notifier.observe({ type: 'state', job: job('a', 'completed') })).toEqual({ kind: 'completed', title: 'Job finished', body: 'upscale: in-upscale.mp4' });
    expect(notifier.observe({ type: 'state', job: job('a', 'completed') })).toBeUndefined();
    expect(notifier.observe({ type: 'state', job: job('b', 'failed') })).toEqual({ kind: 'failed', title: 'Job failed', body: 'The disk is full.' });
    expect(notifier.progress()).toBe(-1);
  });
});

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
  it('keeps a position on a display and drops one that is off every display', () => {
    expect(fitToDisplays({ x: 100, y: 50, width: 1000, height: 700, maximized: false }, screen)).toEqual({ x: 100, y: 50, width: 1000, height: 700, maximized: false });
    expect(fitToDisplays({ x: 3000, y: 50, width: 1000, height: 700, maximized: true }, screen)).toEqual({ width: 1000, height: 700, maximized: true });
    expect(fitToDisplays({ x: 0, y: 0, width: 5000, height: 100, maximized: false }, screen)).toMatchObject({ width: 1920, height: 480 });
  });
});

describe('preview cache', () => {
  it('serves stored PNGs by URL and forgets the oldest', () => {
    const cache = new PreviewCache(2);
    const first = cache.put(Buffer.from('one').toString('base64'));
    const second = cache.put(Buffer.from('two').toString('base64'));
    expect(first).toMatch(/^framesmith-preview:\/\/image\/[0-9a-f]{24}\.png$/);
    expect(cache.get(second)?.toString()).toBe('two');
    cache.put(Buffer.from('three').toString('base64'));
    expect(cache.get(first)).toBeUndefined();
    expect(cache.get('framesmith-preview://image/../../etc/passwd')).toBeUndefined();
  });

  it('serves only clips the engine reported, by id, and forgets the oldest', () => {
    const cache = new PreviewCache(2);
    const url = cache.putClip('clip-aaaa1111', '/cache/preview-clips/clip-aaaa1111.webm');
    expect(url).toBe('framesmith-preview://clip/clip-aaaa1111.webm');
    expect(cache.clipFile(url)).toBe('/cache/preview-clips/clip-aaaa1111.webm');
    expect(cache.clipFile('framesmith-preview://clip/clip-bbbb2222.webm')).toBeUndefined();
    expect(cache.clipFile('framesmith-preview://clip/../clip-aaaa1111.webm')).toBeUndefined();
    expect(() => cache.putClip('../etc', '/etc/passwd')).toThrow(RangeError);
    cache.putClip('clip-bbbb2222', '/b.webm');
    cache.putClip('clip-cccc3333', '/c.webm');
    expect(cache.clipFile(url)).toBeUndefined();
    cache.clear();
    expect(cache.clipFile('framesmith-preview://clip/clip-cccc3333.webm')).toBeUndefined();
  });
});

describe('preload bundle', () => {
  it('needs only electron, and exposes named methods that invoke their own channel', async () => {
    const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-electron.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const file = path.join(repoRoot, 'dist', 'electron', 'preload.cjs');
    expect(existsSync(file)).toBe(true);
    const code = readFileSync(file, 'utf8');
    const required = [...code.matchAll(/require\((["'])([^"']+)\1\)/g)].map((match) => match[2]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    const exposed = new Map<string, unknown>();
    const invoked: [string, unknown][] = [];
    const handlers = new Map<string, Set<(...args: unknown[]) => void>>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
      ipcRenderer: {
        invoke: async (name: string, request: unknown) => {
          invoked.push([name, request]);
          return { ok: true, value: null };
        },
        on: (name: string, handler: (...args: unknown[]) => void) => {
          const set = handlers.get(name) ?? new Set();
          handlers.set(name, set);
          set.add(handler);
        },
        removeListener: (name: string, handler: (...args: unknown[]) => void) => handlers.get(name)?.delete(handler),
      },
    };
    const sandbox = { require: (name: string) => (name === 'electron' ? electron : undefined), module: { exports: {} }, exports: {}, console };
    vm.runInNewContext(code, sandbox, { filename: file });
    expect([...exposed.keys()]).toEqual(['framesmith']);
    const api = exposed.get('framesmith') as { jobs: { enqueue(spec: unknown): Promise<unknown>; onEvent(listener: (event: unknown) => void): () => void } };
    await api.jobs.enqueue({ inputs: ['/a.mp4'], steps: [{ kind: 'upscale' }] });
    expect(invoked).toEqual([['jobs:enqueue', { inputs: ['/a.mp4'], steps: [{ kind: 'upscale' }] }]]);
    const seen: unknown[] = [];
    const stop = api.jobs.onEvent((event) => seen.push(event));
    expect(handlers.get('jobs:event')?.size).toBe(1);
    for (const handler of handlers.get('jobs:event') ?? []) handler({}, { type: 'removed', jobId: 'a' });
    stop();
    expect(handlers.get('jobs:event')?.size).toBe(0);
    expect(seen).toEqual([{ type: 'removed', jobId: 'a' }]);
    expect('invoke' in (api as object)).toBe(false);
    const files = (api as unknown as { files: { pathForFile(file: { name: string }): string; home(): Promise<unknown> } }).files;
    expect(files.pathForFile({ name: 'clip.mp4' })).toBe('/dropped/clip.mp4');
    await files.home();
    expect(invoked.at(-1)).toEqual(['files:home', undefined]);
  });
});
