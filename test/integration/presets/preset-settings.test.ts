// A preset's output and processing settings reach the output: the container
// picks the planned extension, audio 'transcode' re-encodes to the
// container's codec, subtitles 'drop' leaves them out, and precision fp16
// runs the model as published (fp32 otherwise on the CPU). The same clip
// through a preset with the defaults shows each setting makes the difference.
// Also: a job's output folder that does not exist yet is a folder.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../common/jobs.ts';
import { Engine } from '../../../engine/engine.ts';
import { JobQueue } from '../../../engine/jobs/job-queue.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { PresetStore } from '../../../engine/presets/preset-store.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const run = promisify(execFile);
const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const steps = [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }];

interface Probed {
  format: string;
  streams: { type: string; codec: string }[];
}

async function probe(file: string): Promise<Probed> {
  const { stdout } = await run(locateTool('ffprobe').path, ['-v', 'error', '-show_entries', 'format=format_name:stream=codec_type,codec_name', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { format: { format_name: string }; streams: { codec_type: string; codec_name: string }[] };
  return { format: parsed.format.format_name, streams: parsed.streams.map((stream) => ({ type: stream.codec_type, codec: stream.codec_name })) };
}

describe.skipIf(!model)('preset settings are applied', () => {
  let temp: TempDir;
  let engine: Engine;
  let presets: PresetStore;
  let queue: JobQueue;
  let clip: string;
  const logs: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeClip(temp.path, { frames: 16, width: 48, height: 32, container: 'mp4', audio: true, subtitles: true });
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    presets = await PresetStore.open(temp.file('data'));
    await presets.save({
      format: 'framesmith-preset', version: 2, name: 'Set all', steps,
      output: { container: 'mkv', codec: 'h264', speed: 'ultrafast', audio: 'transcode', subtitles: 'drop' },
      processing: { precision: 'fp16' },
    });
    await presets.save({ format: 'framesmith-preset', version: 2, name: 'Defaults', steps, output: { codec: 'h264', speed: 'ultrafast' } });
    queue = await JobQueue.open({ dataDir: temp.file('data'), executor: engine, resolvePreset: (id) => presets.resolve(id), autoStart: false, segmentFrames: 8 });
    queue.subscribe((event: JobEvent) => {
      if (event.type === 'log') logs.push(event.message);
    });
  }, 60_000);
  afterAll(async () => {
    await queue?.dispose();
    await engine?.dispose();
    await temp?.dispose();
  });

  it('writes the container, transcodes audio, drops subtitles and runs in fp16, into a folder that did not exist', async () => {
    const folder = temp.file('new-folder');
    const job = await queue.add({ inputs: [clip], presetId: 'set-all', outputFolder: folder });
    const output = job.items[0]?.output ?? '';
    expect(path.dirname(output)).toBe(folder);
    expect(path.extname(output)).toBe('.mkv');
    expect((await queue.run(job.id)).state).toBe('completed');
    expect((await fs.stat(folder)).isDirectory()).toBe(true);
    const probed = await probe(output);
    expect(probed.format).toContain('matroska');
    expect(probed.streams).toEqual([{ type: 'video', codec: 'h264' }, { type: 'audio', codec: 'flac' }]);
    expect(logs.some((line) => line.startsWith(`${clip}: ran on cpu in fp16`))).toBe(true);
  }, 120_000);

  it('keeps the source container, copies audio, carries subtitles and runs fp32 on the CPU by default', async () => {
    logs.length = 0;
    const job = await queue.add({ inputs: [clip], presetId: 'defaults', outputFolder: temp.file('defaults') });
    const output = job.items[0]?.output ?? '';
    expect(path.extname(output)).toBe('.mp4');
    expect((await queue.run(job.id)).state).toBe('completed');
    const probed = await probe(output);
    expect(probed.format).toContain('mp4');
    expect(probed.streams).toEqual([{ type: 'video', codec: 'h264' }, { type: 'audio', codec: 'aac' }, { type: 'subtitle', codec: 'mov_text' }]);
    expect(logs.some((line) => line.startsWith(`${clip}: ran on cpu in fp32`))).toBe(true);
  }, 120_000);

  it('transcodes audio to opus for webm and refuses a container the codec cannot go into', async () => {
    const job = await queue.add({ inputs: [clip], steps: steps as never, outputFolder: temp.file('webm'), outputSettings: { codec: 'vp9', container: 'webm', audio: 'transcode', preset: 'ultrafast' } });
    expect(path.extname(job.items[0]?.output ?? '')).toBe('.webm');
    expect((await queue.run(job.id)).state).toBe('completed');
    const probed = await probe(job.items[0]?.output ?? '');
    expect(probed.streams.filter((stream) => stream.type === 'audio')).toEqual([{ type: 'audio', codec: 'opus' }]);
    await expect(queue.add({ inputs: [clip], steps: steps as never, outputFolder: temp.file('bad'), outputSettings: { codec: 'ffv1', container: 'mp4' } }))
      .rejects.toThrow(/ffv1 codec cannot be written to mp4. Choose the container mkv/);
  }, 120_000);
});
