// A real `framesmith upscale` leaves nothing of onnxruntime's telemetry client
// behind: no empty mat-debug-<pid>.log or .ses in the temp folder, no device
// id or event database under ~/.cache/Microsoft (see
// engine/inference/onnxruntime-environment.ts). The CLI runs with a temp
// folder and a home of its own and without ORT_DISABLE_TELEMETRY in its
// environment, so the engine has to set it itself.
import { mkdir, readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { makeCliSandbox, type CliSandbox } from '../cli/media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((entry) => String(entry)).sort();
}

describe.skipIf(!model)('onnxruntime telemetry files', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-ort-telemetry-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('an upscale leaves no mat-debug log in the temp folder and nothing under ~/.cache/Microsoft', async () => {
    const home = box.dir.file('home');
    await mkdir(home, { recursive: true });
    const input = await makeStillImage(box.dir.path, 'png', { width: 24, height: 16 });
    const output = box.dir.file('out.png');
    const result = await runCli(['upscale', input, '-o', output], {
      env: { ...box.env, HOME: home, XDG_CACHE_HOME: undefined, ORT_DISABLE_TELEMETRY: undefined },
    });
    expect(result.code, describeRun(result)).toBe(0);
    expect((await sharp(output).metadata()).width).toBe(96);
    const temp = await listTree(box.env.TMPDIR as string);
    expect(temp.filter((name) => /mat-debug-\d+\.log$|(^|\/)\.ses$/.test(name))).toEqual([]);
    expect(await listTree(home)).toEqual([]);
  });

  it('a value the user set explicitly is kept', async () => {
    const { disableOnnxRuntimeTelemetry } = await import('../../../engine/inference/onnxruntime-environment.ts');
    const env: NodeJS.ProcessEnv = { ORT_DISABLE_TELEMETRY: '0' };
    disableOnnxRuntimeTelemetry(env);
    expect(env.ORT_DISABLE_TELEMETRY).toBe('0');
    const empty: NodeJS.ProcessEnv = {};
    disableOnnxRuntimeTelemetry(empty);
    expect(empty.ORT_DISABLE_TELEMETRY).toBe('1');
  });
});
