// The API contract: channel names, request validation with messages a person
// can act on, the Result envelope from the dispatcher, and the client object
// built from the contract (named methods only, listeners that unsubscribe).
import { describe, expect, it } from 'vitest';
import { API_CHANNELS, apiContract, DEFAULT_SETTINGS, EVENT_CHANNELS, settingsSchema } from '../../../common/api/contract.ts';
import { createClientApi } from '../../../common/api/create-client.ts';
import { safeRelativeSegments } from '../../../common/api/static-path.ts';
import { validateRequest } from '../../../common/api/validate-request.ts';
import { apiUrlFromPage } from '../../../common/api/ws-client.ts';
import { InvalidArgumentError, isFramesmithError } from '../../../common/errors.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';

function refusal(channel: string, request: unknown): string {
  try {
    validateRequest(channel, request);
  } catch (error) {
    if (isFramesmithError(error)) return `${error.code}: ${error.userMessage}`;
    throw error;
  }
  throw new Error(`${channel} accepted ${JSON.stringify(request)}`);
}

const context = { signal: new AbortController().signal };

describe('API contract', () => {
  it('names every channel group:verb after its place in the table, once', () => {
    const seen = new Set<string>();
    for (const [group, methods] of Object.entries(apiContract)) {
      for (const [verb, entry] of Object.entries(methods)) {
        expect(entry.channel).toBe(`${group}:${verb}`);
        seen.add(entry.channel);
      }
    }
    expect(seen.size).toBe(API_CHANNELS.length);
    expect(API_CHANNELS).toContain('jobs:enqueue');
    expect(Object.values(EVENT_CHANNELS)).toEqual(['jobs:event', 'models:event', 'gpu:event', 'app:event']);
  });

  it('refuses bad requests with the channel, the field and what was expected', () => {
    expect(refusal('jobs:reorder', { id: 'a', toIndex: -1 })).toBe('INVALID_ARGUMENT: Invalid request to jobs:reorder: toIndex: toIndex must be 0 or more.');
    expect(refusal('jobs:reorder', { id: 'a', toIndex: 1.5 })).toContain('toIndex must be a whole number');
    expect(refusal('jobs:reorder', { id: 'a', toIndex: 1, extra: true })).toContain('extra');
    expect(refusal('jobs:enqueue', { inputs: ['/a.mp4'] })).toContain('give either a preset or a chain of steps');
    expect(refusal('jobs:enqueue', { inputs: ['/a.mp4'], steps: [{ kind: 'upscale', scale: -2 }] })).toContain('steps.0.scale');
    expect(refusal('jobs:list', { anything: 1 })).toContain('this method takes no request');
    expect(refusal('files:list', { dir: '' })).toContain('dir: expected a non-empty path');
    expect(refusal('settings:set', { theme: 'purple' })).toContain('theme');
    expect(refusal('settings:set', { language: 'English' })).toContain('a language tag such as "en"');
    expect(refusal('presets:save', { preset: { name: '../escape', steps: [{ kind: 'upscale' }] } })).toContain('preset.name');
    expect(refusal('models:bench', { id: 'x', width: 8 })).toContain('width');
    expect(refusal('no:such', {})).toMatch(/^NOT_SUPPORTED: Unknown API method "no:such"\. Expected one of: jobs:enqueue/);
    expect(refusal('constructor', {})).toMatch(/^NOT_SUPPORTED/);
  });

  it('applies defaults to valid requests', () => {
    expect(validateRequest('models:bench', { id: 'rife-v4.6' })).toEqual({ id: 'rife-v4.6', width: 320, height: 180, runs: 3 });
    expect(validateRequest('jobs:list', undefined)).toBeUndefined();
    expect(validateRequest('settings:set', { outputDefaults: { codec: 'h265' } })).toEqual({ outputDefaults: { codec: 'h265' } });
    expect(settingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it('answers every call in the Result envelope', async () => {
    const dispatcher = new ApiDispatcher({
      'files:home': async () => '/home/someone',
      'jobs:remove': async () => null,
      'jobs:pause': async ({ id }) => {
        throw new InvalidArgumentError(`Job ${id} is completed; it cannot be paused.`);
      },
      'jobs:resume': async () => {
        throw new TypeError('boom');
      },
    });
    expect(await dispatcher.dispatch('files:home', undefined, context)).toEqual({ ok: true, value: '/home/someone' });
    expect(await dispatcher.dispatch('jobs:remove', { id: 'a' }, context)).toEqual({ ok: true, value: null });
    expect(await dispatcher.dispatch('jobs:pause', { id: 'a' }, context)).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', userMessage: 'Job a is completed; it cannot be paused.' } });
    const bug = await dispatcher.dispatch('jobs:resume', { id: 'a' }, context);
    expect(bug).toMatchObject({ ok: false, error: { code: 'BUG' } });
    expect(await dispatcher.dispatch('jobs:pause', { id: 7 }, context)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await dispatcher.dispatch('dialogs:openFiles', {}, context)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED', userMessage: 'dialogs:openFiles is not available here.' } });
  });

  it('builds a client of named methods whose listeners unsubscribe', async () => {
    const sent: [string, unknown][] = [];
    const listeners = new Map<string, Set<(event: unknown) => void>>();
    const api = createClientApi({
      request: async (channel, request) => {
        sent.push([channel, request]);
        return { ok: true, value: null };
      },
      subscribe: (channel, listener) => {
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        set.add(listener);
        return () => set.delete(listener);
      },
    });
    await api.jobs.reorder({ id: 'a', toIndex: 0 });
    await api.system.doctor();
    expect(sent).toEqual([['jobs:reorder', { id: 'a', toIndex: 0 }], ['system:doctor', undefined]]);
    expect('invoke' in api).toBe(false);
    expect(Object.isFrozen(api.jobs)).toBe(true);
    const received: unknown[] = [];
    const stop = api.jobs.onEvent((event) => received.push(event));
    for (const listener of listeners.get('jobs:event') ?? []) listener({ type: 'removed', jobId: 'a' });
    stop();
    for (const listener of listeners.get('jobs:event') ?? []) listener({ type: 'removed', jobId: 'b' });
    expect(received).toEqual([{ type: 'removed', jobId: 'a' }]);
    expect(typeof api.models.onEvent).toBe('function');
    expect(typeof api.app.onEvent).toBe('function');
    expect('onEvent' in api.presets).toBe(false);
  });

  it('finds the API endpoint from the page URL and insists on the token', () => {
    expect(apiUrlFromPage({ protocol: 'http:', host: '127.0.0.1:4000', search: '?token=ab-c_d' })).toBe('ws://127.0.0.1:4000/api?token=ab-c_d');
    expect(() => apiUrlFromPage({ protocol: 'http:', host: '127.0.0.1:4000', search: '' })).toThrow(/access token/);
  });

  it('keeps static paths inside the served folder', () => {
    expect(safeRelativeSegments('/')).toEqual([]);
    expect(safeRelativeSegments('/assets/app.js')).toEqual(['assets', 'app.js']);
    expect(safeRelativeSegments('/./assets//x.css')).toEqual(['assets', 'x.css']);
    for (const bad of ['/../x', '/a/../../x', '/..%2fx', '/%2e%2e/x', '/a%5c..%5cx', '/%00', '/C:/Windows', '/%E0%A4%A']) {
      expect(safeRelativeSegments(bad), bad).toBeUndefined();
    }
  });
});
