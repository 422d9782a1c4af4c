// A failed job brought back to New job (the card's Edit) carries every
// choice of its spec, Render on included, and its reason on the field at
// fault; a farm job refused for files outside the shared folder marks the
// Render on choice.
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { FarmNotSharedError, FarmSegmentFailedError } from '../../../common/errors.ts';
import { jobId } from '../../../common/ids.ts';
import { jobSpecSchema, type JobSnapshot } from '../../../common/jobs.ts';
import { toGuiError } from '../../../renderer/gui-error.ts';
import en from '../../../renderer/i18n/en.json' with { type: 'json' };
import { draftOf } from '../../../renderer/job-draft.ts';

let t: TFunction;

beforeAll(async () => {
  const instance = createInstance();
  await instance.init({ resources: { en: { translation: en } }, lng: 'en', interpolation: { escapeValue: false } });
  t = instance.t;
});

function failedJob(renderOn: 'local' | 'farm' | undefined): JobSnapshot {
  const spec = jobSpecSchema.parse({ inputs: ['/farm/clip.mkv'], steps: [{ kind: 'stylize', style: 'candy' }], outputFolder: '/out', ...(renderOn ? { renderOn } : {}) });
  return {
    id: jobId('job-1'),
    state: 'failed',
    spec,
    presetId: null,
    label: 'stylized',
    items: [],
    progress: null,
    error: new FarmSegmentFailedError(2, 3, 'INPUT_NOT_FOUND: Input not found').toJSON(),
    position: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
  };
}

describe('editing a failed job', () => {
  it('carries Render on: farm back to New job, with the reason', () => {
    const draft = draftOf(t, failedJob('farm'));
    expect(draft.renderOn).toBe('farm');
    expect(draft.inputs).toEqual(['/farm/clip.mkv']);
    expect(draft.outputFolder).toBe('/out');
    expect(draft.problem?.message).toMatch(/Segment 2 failed 3 times/);
  });

  it('carries this machine back for a local job', () => {
    expect(draftOf(t, failedJob('local')).renderOn).toBe('local');
    expect(draftOf(t, failedJob(undefined)).renderOn).toBe(jobSpecSchema.parse({ inputs: ['/a.mkv'], steps: [{ kind: 'stylize', style: 'candy' }] }).renderOn);
  });

  it('marks Render on for files outside the farm\'s shared folder, with no flag in the message', () => {
    const shown = toGuiError(t, new FarmNotSharedError(['/home/me/clip.mkv'], '/farm').toJSON());
    expect(shown.field).toBe('renderOn');
    expect(shown.message).toMatch(/^\/home\/me\/clip\.mkv is not in the farm's shared folder \/farm/);
    expect(shown.message).not.toMatch(/--/);
  });
});
