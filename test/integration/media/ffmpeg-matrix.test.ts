// The media path on each ffmpeg the locator may choose: the system one on
// PATH (5.1 here) and the npm build (a 2018 git build near 4.1, with
// -vsync instead of -fps_mode, no -movie_timescale, libaom AV1 marked
// experimental). Each runs decode, encode of every codec it has, and a
// two-part join with audio, and must give the same frames and exact rates.
// An option the binary lacks is its own typed error, never "input damaged".
// The full media suite runs on the npm build too: FFMPEG_PATH/FFPROBE_PATH
// pointing at it (see README, Tests), and .ci/run with the system ffmpeg hidden.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptStreamError, FfmpegOptionUnsupportedError } from '../../../common/errors.ts';
import { rational } from '../../../common/rational.ts';
import { EncoderCatalog, VIDEO_CODECS, type VideoCodec } from '../../../engine/media/codecs.ts';
import { decodeFrames } from '../../../engine/media/decoder.ts';
import { VideoEncoder } from '../../../engine/media/encoder.ts';
import { FfmpegCapabilities, type FfmpegDescription } from '../../../engine/media/ffmpeg-capabilities.ts';
import { locateFfmpegTools, type FfmpegTools } from '../../../engine/media/ffmpeg-locator.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { finalizeOutput } from '../../../engine/media/muxer.ts';
import { probeMedia } from '../../../engine/media/probe.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

const RATE = rational(24000, 1001);

function toolSet(label: string): FfmpegTools | undefined {
  try {
    const tools = label === 'npm'
      ? locateFfmpegTools({ env: { PATH: '' } })
      : locateFfmpegTools({ env: { PATH: process.env.PATH }, npmDirs: { ffmpeg: null, ffprobe: null } });
    return tools.ffmpeg.source === (label === 'npm' ? 'npm' : 'path') ? tools : undefined;
  } catch {
    return undefined;
  }
}

const SETS = ['system', 'npm'].map((label) => ({ label, tools: toolSet(label) }));
for (const set of SETS) {
  if (!set.tools) console.warn(`*** SKIPPED ffmpeg matrix for the ${set.label} ffmpeg: none found on this machine`);
}

/** Capabilities that put a chosen option where the timing option goes: the command a newer engine would build. */
class ForcedOption extends FfmpegCapabilities {
  constructor(path: string, private readonly forced: readonly string[]) {
    super(path);
  }

  override async describe(signal?: AbortSignal): Promise<FfmpegDescription> {
    return { ...(await super.describe(signal)), passthroughTimingArgs: this.forced };
  }
}

function frameOf(index: number): RgbFrame {
  const data = new Uint8Array(64 * 48 * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 7 + index * 29) & 255;
  return { width: 64, height: 48, bitDepth: 8, data, index };
}

let dir: TempDir;
let lossless: string;
let withAudio: string;
const decodedHashes = new Map<string, string>();

beforeAll(async () => {
  dir = await makeTempDir('framesmith-ffmpeg-matrix-');
  lossless = await makeClip(dir.path, { frames: 6, container: 'mkv', videoCodec: 'ffv1', name: 'lossless.mkv' });
  withAudio = await makeClip(dir.path, { frames: 12, rate: '24000/1001', container: 'mp4', audio: true, name: 'audio.mp4' });
});

afterAll(async () => {
  await dir?.dispose();
});

describe.each(SETS)('the $label ffmpeg', ({ label, tools }) => {
  const run = tools ? it : it.skip;
  const catalog = tools ? new EncoderCatalog(tools.ffmpeg.path) : undefined;

  run('describes itself, and its commands follow what it has', async () => {
    const description = await catalog!.capabilities.describe();
    expect(description.version.release).not.toBeNull();
    const modern = description.options.has('fps_mode');
    expect(description.passthroughTimingArgs).toEqual(modern ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']);
    if (label === 'npm') expect(description.version.release).toEqual({ major: 4, minor: 1 });
  });

  run('decodes a lossless clip to the same frames', async () => {
    const info = await probeMedia(lossless, { ffprobe: tools!.ffprobe.path });
    const hash = createHash('sha256');
    let count = 0;
    for await (const frame of decodeFrames({ ffmpeg: tools!.ffmpeg.path, capabilities: catalog!.capabilities, info })) {
      hash.update(frame.data);
      count += 1;
    }
    expect(count).toBe(6);
    decodedHashes.set(label, hash.digest('hex'));
    if (decodedHashes.size === 2) expect(new Set(decodedHashes.values()).size).toBe(1);
  });

  run('encodes every codec it has, and joins two parts with the source audio at the exact rate', async () => {
    const codecs = await catalog!.availableCodecs();
    expect(codecs).toEqual(expect.arrayContaining(['h264', 'h265', 'vp9', 'av1', 'prores', 'ffv1', 'png']));
    const source = await probeMedia(withAudio, { ffprobe: tools!.ffprobe.path });
    for (const codec of VIDEO_CODECS.filter((name: VideoCodec) => name !== 'png')) {
      const parts: string[] = [];
      const counts = [5, 7];
      let index = 0;
      for (const [k, count] of counts.entries()) {
        const encoder = await VideoEncoder.start({
          ffmpegPath: tools!.ffmpeg.path, catalog, outputPath: dir.file(`${label}-${codec}-${k}.part`),
          width: 64, height: 48, bitDepth: 8, frameRate: RATE, codec, preset: 'ultrafast',
        });
        for (let i = 0; i < count; i += 1) await encoder.write(frameOf(index++));
        parts.push((await encoder.finish()).path);
      }
      const container = codec === 'prores' ? 'mov' : codec === 'ffv1' ? 'mkv' : 'mp4';
      const out = dir.file(`${label}-${codec}.${container}`);
      await finalizeOutput({
        ffmpegPath: tools!.ffmpeg.path, capabilities: catalog!.capabilities, videoParts: parts, source, outputPath: out, videoCodec: codec,
        partTiming: { frameCounts: counts, frameRate: RATE },
      });
      const info = await probeMedia(out, { ffprobe: tools!.ffprobe.path });
      expect(info.video.frameCount, `${label} ${codec}`).toBe(12);
      expect(info.video.frameRate, `${label} ${codec}`).toEqual(RATE);
      expect(info.audio.length, `${label} ${codec}`).toBe(1);
    }
  });

  run('reports an option the binary lacks as its own error, naming the binary and its version', async () => {
    const info = await probeMedia(lossless, { ffprobe: tools!.ffprobe.path });
    const forced = [['-framesmith_no_such_option', '1']];
    if (label === 'npm') forced.push(['-fps_mode', 'passthrough']);
    for (const args of forced) {
      let caught: unknown;
      try {
        for await (const frame of decodeFrames({ ffmpeg: tools!.ffmpeg.path, capabilities: new ForcedOption(tools!.ffmpeg.path, args), info })) void frame;
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FfmpegOptionUnsupportedError);
      expect(caught).not.toBeInstanceOf(CorruptStreamError);
      const message = (caught as FfmpegOptionUnsupportedError).userMessage;
      expect(message).toContain(tools!.ffmpeg.path);
      expect(message).toContain(args[0]);
      expect(message).toContain((await catalog!.capabilities.describe()).version.text);
    }
  });
});
