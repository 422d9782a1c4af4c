// Crash resume with the real CLI: `framesmith run` is SIGKILLed while
// decoding (before any segment), mid-segment and while finalising; then
// `framesmith resume` finishes the job. The result must equal an
// uninterrupted run frame for frame (ffv1, lossless), and nothing may be left
// in the work folder or beside the output.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliJsonEvent } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes, jobEnv } from './jobs-helpers.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const STEP = 'upscale:model=realesr-animevideo-xs-x2';

describe.skipIf(!model)('crash resume through the CLI', () => {
  let temp: TempDir;
  let clip: string;
  let expected: string[];

  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeClip(temp.path, { frames: 32, width: 48, height: 32, container: 'mkv' });
    const result = await runCli(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('base.mkv'), '--json'], { env: jobEnv(temp.file('data-base'), temp.file('cache')) });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expected = await frameHashes(temp.file('base.mkv'));
    expect(expected).toHaveLength(32);
  }, 120_000);
  afterAll(async () => temp?.dispose());

  const points: [string, (event: CliJsonEvent) => boolean][] = [
    ['while decoding, before the first segment', (event) => event.type === 'start'],
    ['mid-segment', (event) => event.type === 'progress' && ((event.progress as { framesDone: number }).framesDone) >= 10 && ((event.progress as { framesDone: number }).framesDone) < 32],
    ['while finalising', (event) => event.type === 'progress' && (event.progress as { stage: string }).stage === 'finalize'],
  ];

  for (const [label, when] of points) {
    it(`resumes after a SIGKILL ${label} to the same frames`, async () => {
      const name = label.replace(/[^a-z]+/g, '-');
      const env = jobEnv(temp.file(`data-${name}`), temp.file('cache'));
      const output = temp.file(`out-${name}.mkv`);
      let killed = false;
      const first = await runCli(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', output, '--json'], {
        env,
        onLine: (line, child) => {
          if (killed || !line.startsWith('{')) return;
          if (when(JSON.parse(line) as CliJsonEvent)) {
            killed = true;
            child.kill('SIGKILL');
          }
        },
      });
      expect(first.signal, first.stderr).toBe('SIGKILL');
      const listed = await runCli(['queue', '--json'], { env });
      const jobs = JSON.parse(listed.stdout) as { state: string }[];
      expect(jobs.map((job) => job.state)).toEqual(['interrupted']);
      const resumed = await runCli(['resume', '--json'], { env });
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
      expect(await frameHashes(output)).toEqual(expected);
      expect(await fs.readdir(path.join(env.FRAMESMITH_DATA, 'work'))).toEqual([]);
      expect((await fs.readdir(temp.path)).filter((file) => file.includes('.framesmith-tmp-'))).toEqual([]);
      const after = await runCli(['queue', '--json'], { env });
      expect(JSON.parse(after.stdout)).toEqual([]);
    }, 120_000);
  }
});
