// Errors in the Result envelope: an expected error keeps its hint (the field
// and action the UI marks), a bug arrives as BUG with no hint, and the client's
// unwrap hands the hint on.
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../common/api/create-client.ts';
import { BugError, OutputExistsError } from '../../../common/errors.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';

const context = { signal: new AbortController().signal };

describe('errors in the API envelope', () => {
  it('carry an expected error\'s hint and keep bugs apart', async () => {
    const dispatcher = new ApiDispatcher({
      'jobs:pause': async () => {
        throw new OutputExistsError('/videos/out.mp4');
      },
      'jobs:resume': async () => {
        throw new BugError('a job record lost its items');
      },
    });
    const exists = await dispatcher.dispatch('jobs:pause', { id: 'a' }, context);
    expect(exists).toEqual({
      ok: false,
      error: {
        code: 'OUTPUT_EXISTS',
        userMessage: '/videos/out.mp4 already exists. Choose another name, or allow Framesmith to overwrite it.',
        hint: { field: 'outputSettings.overwrite', action: 'allow-overwrite' },
      },
    });
    expect(() => unwrap(exists)).toThrow(expect.objectContaining({ code: 'OUTPUT_EXISTS', hint: { field: 'outputSettings.overwrite', action: 'allow-overwrite' } }));
    const bug = await dispatcher.dispatch('jobs:resume', { id: 'a' }, context);
    expect(bug).toMatchObject({ ok: false, error: { code: 'BUG', userMessage: 'Internal error: a job record lost its items. Please report this.' } });
    expect(bug.ok === false && bug.error.hint).toBeUndefined();
  });
});
