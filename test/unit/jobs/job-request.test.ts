// The one mapping from a job spec to the engine's batch request: a preset's
// chain and settings, the spec's own settings over them, a setting the spec
// leaves undefined keeping the preset's, and an output folder that need not
// exist yet.
import { describe, expect, it } from 'vitest';
import { jobBatchRequest, type ResolvedPreset } from '../../../engine/jobs/job-request.ts';

const preset: ResolvedPreset = {
  id: 'p',
  name: 'Preset',
  steps: [{ kind: 'upscale', model: 'realesr-animevideov3-x4' }],
  outputSettings: { codec: 'h265', crf: 20 },
  processing: { provider: 'cpu', threads: 2 },
};

describe('job spec to batch request', () => {
  it('takes the preset\'s chain and lays the spec\'s defined settings over the preset\'s', () => {
    const request = jobBatchRequest(
      { inputs: ['a.mp4'], outputFolder: '/out', steps: [{ kind: 'stylize' }], outputSettings: { crf: 24, codec: undefined }, processing: { threads: undefined, tile: 256 } },
      preset,
    );
    expect(request).toEqual({
      inputs: ['a.mp4'],
      output: '/out',
      outputIsFolder: true,
      recursive: undefined,
      nameTemplate: undefined,
      steps: preset.steps,
      outputSettings: { codec: 'h265', crf: 24 },
      processing: { provider: 'cpu', threads: 2, tile: 256 },
    });
  });

  it('uses the spec\'s own steps without a preset, and an output path as a file', () => {
    const request = jobBatchRequest({ inputs: ['a.mp4', 'b.mp4'], outputPath: '/x.mkv', outputFolder: '/ignored', recursive: true, steps: [{ kind: 'upscale' }] });
    expect(request).toMatchObject({ output: '/x.mkv', outputIsFolder: false, recursive: true, steps: [{ kind: 'upscale' }], outputSettings: {}, processing: {} });
    expect(jobBatchRequest({ inputs: ['a.mp4'] }).steps).toEqual([]);
  });
});
