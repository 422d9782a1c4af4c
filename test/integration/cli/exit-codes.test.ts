// How `framesmith upscale` ends, as a script sees it: --json events (start,
// progress, done; error with code and userMessage), exit code 2 for bad usage,
// 1 for failures (with a message that says what to do and nothing left
// behind), 130 for Ctrl-C (no output, no temporary siblings, no work folder).
import { existsSync, readdirSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorCodes, parseJsonLines, runCli, signalGroup, type CliJsonEvent, type CliResult } from '../../helpers/cli-runner.ts';
import { listTemporarySiblings } from '../../../engine/media/output-path.ts';
import { makeAudioOnlyFile, makeClip, makeCorruptClip, makeNonMediaFile } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { ffprobe, makeCliSandbox, streamsOf, type CliSandbox } from './media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

interface ProgressEvent {
  stage: string;
  framesDone: number;
  framesTotal: number | null;
  fraction: number;
}

describe.skipIf(!model)('framesmith upscale: --json events and exit codes', () => {
  let box: CliSandbox;
  let clip: string;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-exit-');
    clip = await makeClip(box.dir.path, { name: 'clip.mp4', frames: 5, width: 48, height: 32, audio: true });
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  async function upscale(args: string[]): Promise<CliResult> {
    return runCli(['upscale', ...args], { env: box.env });
  }

  async function workFolders(): Promise<string[]> {
    return existsSync(box.workRoot) ? readdir(box.workRoot) : [];
  }

  async function expectNothingLeft(output: string): Promise<void> {
    expect(existsSync(output)).toBe(false);
    expect(await listTemporarySiblings(output)).toEqual([]);
    expect(await workFolders()).toEqual([]);
  }

  it('prints start, rising progress to 1 and done, one JSON object a line', async () => {
    const output = box.dir.file('json-out.mp4');
    const result = await upscale([clip, '-o', output, '--json']);
    expect(result.code, describeRun(result)).toBe(0);
    const events = parseJsonLines(result.stdout);
    expect(events[0]).toMatchObject({ type: 'start', item: clip, index: 0, count: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'done', item: clip, output, frames: 5 });
    const progress = events.filter((event) => event.type === 'progress').map((event) => event.progress as ProgressEvent);
    expect(progress.length).toBeGreaterThan(0);
    for (const [index, step] of progress.entries()) {
      expect(step.framesTotal).toBe(5);
      expect(step.framesDone).toBeGreaterThanOrEqual(0);
      expect(step.framesDone).toBeLessThanOrEqual(5);
      if (index > 0) {
        expect(step.fraction).toBeGreaterThanOrEqual((progress[index - 1] as ProgressEvent).fraction);
        expect(step.framesDone).toBeGreaterThanOrEqual((progress[index - 1] as ProgressEvent).framesDone);
      }
    }
    // One step, one item: the share done is the share of frames written, not of frames read ahead.
    for (const step of progress) if (step.stage === 'process') expect(step.fraction).toBeCloseTo(step.framesDone / 5, 9);
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(progress.at(-1)?.framesDone).toBe(5);
    expect(progress.some((step) => step.fraction > 0 && step.fraction < 1)).toBe(true);
    expect(result.stderr).not.toMatch(/^\{/m);
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
    ['an unknown codec', ['--codec', 'bogus'], /Allowed choices are h264/],
    ['--scale with --width', ['--scale', '2', '--width', '100'], /either a scale or a target width/],
    ['--denoise on a model without a denoise partner', ['--denoise', '0.5'], /realesr-general-x4v3/],
    ['an unknown model id', ['--model', 'realesr-animevideov3'], /Did you mean "realesr-animevideov3-x4"/],
    ['a negative scale', ['--scale', '-1'], /--scale/],
    ['a tile size below 32', ['--tile', '8'], /--tile/],
  ];
  for (const [what, flags, message] of usage) {
    it(`exits 2 for ${what}, saying what is wrong, and writes nothing`, async () => {
      const output = box.dir.file('usage-out.mp4');
      const result = await upscale([clip, '-o', output, ...flags]);
      expect(result.code, describeRun(result)).toBe(2);
      expect(`${result.stdout}${result.stderr}`).toMatch(message);
      await expectNothingLeft(output);
    });
  }

  it('exits 2 for a usage mistake with --json too, as an error event with its code', async () => {
    const result = await upscale([clip, '-o', box.dir.file('x.mp4'), '--model', 'no-such-model', '--json']);
    expect(result.code, describeRun(result)).toBe(2);
    const events = parseJsonLines(result.stdout);
    expect(errorCodes(events)).toEqual(['MODEL_NOT_FOUND']);
    const error = events[0]?.error as { userMessage: string };
    expect(error.userMessage).toContain('no-such-model');
  });

  const failures: [string, (dir: string) => Promise<string>, string, RegExp][] = [
    ['a missing input', async (dir) => `${dir}/missing.mp4`, 'INPUT_NOT_FOUND', /Check the path/],
    ['a corrupt input', makeCorruptClip, 'CORRUPT_STREAM', /damaged|re-download|remux/i],
    ['an audio-only input', makeAudioOnlyFile, 'NO_VIDEO_STREAM', /no video stream.*Choose/],
    ['a file that is not media', makeNonMediaFile, 'INPUT_NOT_MEDIA', /not a video or image.*Choose/],
  ];
  for (const [what, make, code, message] of failures) {
    it(`exits 1 for ${what} with ${code}, says what to do, and leaves nothing`, async () => {
      const input = await make(box.dir.path);
      const output = box.dir.file(`failed-${code}.mkv`);
      const result = await upscale([input, '-o', output, '--json']);
      expect(result.code, describeRun(result)).toBe(1);
      const events = parseJsonLines(result.stdout);
      expect(errorCodes(events)).toEqual([code]);
      const error = events.find((event) => event.type === 'error') as CliJsonEvent & { error: { userMessage: string } };
      expect(error.error.userMessage).toMatch(message);
      await expectNothingLeft(output);
    });
  }

  it('exits 1 for an output folder that cannot be written', async () => {
    const notAFolder = box.dir.file('plain-file');
    await writeFile(notAFolder, 'not a folder');
    const output = `${notAFolder}/out.mp4`;
    const result = await upscale([clip, '-o', output]);
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stderr).toMatch(/Cannot write to .*plain-file.*Choose a folder/);
    expect(await workFolders()).toEqual([]);
  });

  it('exits 1 when the output exists, naming --overwrite, and keeps the file', async () => {
    const output = box.dir.file('exists.mp4');
    await writeFile(output, 'keep me');
    const result = await upscale([clip, '-o', output]);
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stderr).toMatch(/already exists.*--overwrite/);
    expect(existsSync(output)).toBe(true);
    expect(await listTemporarySiblings(output)).toEqual([]);
  });

  for (const [how, group] of [['the CLI alone', false], ['its whole process group (as a terminal does)', true]] as const) {
    it(`exits 130 on Ctrl-C sent to ${how} after progress has started, leaving no output, no temporary siblings and no work folder`, async () => {
      const input = await makeClip(box.dir.path, { name: 'long.mp4', frames: 40, width: 96, height: 64, audio: true });
      const output = box.dir.file('cancelled.mp4');
      let signalled = false;
      let sawWorkFolder = false;
      const result = await runCli(['upscale', input, '-o', output, '--json'], {
        env: box.env,
        ownProcessGroup: group,
        onLine: (line, child) => {
          if (signalled || !line.startsWith('{')) return;
          const event = JSON.parse(line) as CliJsonEvent;
          const progress = event.progress as ProgressEvent | undefined;
          if (event.type === 'progress' && progress && progress.framesDone >= 1 && progress.framesDone < 40) {
            signalled = true;
            sawWorkFolder = existsSync(box.workRoot) && readdirSync(box.workRoot).length === 1;
            if (group) signalGroup(child, 'SIGINT');
            else child.kill('SIGINT');
          }
        },
      });
      expect(signalled, describeRun(result)).toBe(true);
      expect(sawWorkFolder).toBe(true);
      expect(result.code, describeRun(result)).toBe(130);
      const events = parseJsonLines(result.stdout);
      expect(events.at(-1)?.type).toBe('cancelled');
      expect(events.some((event) => event.type === 'done' || event.type === 'error'), describeRun(result)).toBe(false);
      await expectNothingLeft(output);
    });
  }

  it('exits 130 on Ctrl-C while the output is being muxed, leaving nothing', async () => {
    const output = box.dir.file('cancelled-in-finalize.mp4');
    let signalled = false;
    const result = await runCli(['upscale', clip, '-o', output, '--json'], {
      env: box.env,
      ownProcessGroup: true,
      onLine: (line, child) => {
        if (signalled || !line.includes('"stage":"finalize"')) return;
        signalled = true;
        signalGroup(child, 'SIGINT');
      },
    });
    expect(signalled, describeRun(result)).toBe(true);
    expect(await listTemporarySiblings(output)).toEqual([]);
    expect(await workFolders()).toEqual([]);
    // The mux of a tiny clip may win the race with the signal: then the output must be whole.
    if (result.code === 0) {
      expect(parseJsonLines(result.stdout).at(-1)).toMatchObject({ type: 'done', frames: 5 });
      expect(streamsOf(await ffprobe(output), 'video')[0]?.nb_read_frames).toBe('5');
      return;
    }
    expect(result.code, describeRun(result)).toBe(130);
    expect(parseJsonLines(result.stdout).at(-1)?.type).toBe('cancelled');
    await expectNothingLeft(output);
  });
});
