// A job's buttons follow its state and the host: in a browser a finished job
// offers no Open or Show in folder (they cannot work there; Download stands in
// the file list instead), while the desktop app keeps both.
import { describe, expect, it } from 'vitest';
import { actionsFor } from '../../../renderer/job-actions.ts';

describe('job actions per host', () => {
  it('hides Open and Show in folder in the browser, keeps them in the desktop app', () => {
    expect(actionsFor('completed', true)).toEqual(['open', 'reveal', 'remove']);
    expect(actionsFor('completed', false)).toEqual(['remove']);
  });

  it('leaves every other state alike on both hosts', () => {
    for (const state of ['running', 'paused', 'interrupted', 'queued', 'failed', 'cancelled'] as const) {
      expect(actionsFor(state, false), state).toEqual(actionsFor(state, true));
      expect(actionsFor(state, false), state).not.toContain('open');
    }
  });
});
