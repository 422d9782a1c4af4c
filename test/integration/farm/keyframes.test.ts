// The keyframes the farm moves its cuts to, read from real files with the
// machine's ffprobe: an H.264 clip with a keyframe every 12 frames (and a
// B-frame reorder, so packets arrive out of display order), an all-intra
// ffv1 clip with every frame a keyframe, a start time other than 0, and the
// bounds: too many packets or too little time gives "unknown", never a
// throw. Then the cut chooser lands borders of a long clip on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRational } from '../../../common/rational.ts';
import { segmentsOf } from '../../../engine/farm/batch-split.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { probeKeyframes } from '../../../engine/media/keyframes.ts';
import { probeMedia } from '../../../engine/media/probe.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { planChain } from '../../../engine/plan/chain-plan.ts';
import type { Step } from '../../../common/job-spec.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

describe('keyframes of a video', () => {
  let temp: TempDir;
  const ffprobe = locateTool('ffprobe').path;
  beforeAll(async () => {
    temp = await makeTempDir('framesmith-keyframes-');
  });
  afterAll(async () => temp?.dispose());

  it('lists an H.264 clip\'s keyframes as frame numbers, in order', async () => {
    const clip = await makeClip(temp.path, { name: 'gop12.mp4', frames: 60, rate: '24', videoCodec: 'libx264', extraArgs: ['-g', '12', '-keyint_min', '12', '-sc_threshold', '0', '-bf', '2'] });
    const info = await probeMedia(clip, { ffprobe });
    expect(await probeKeyframes(info, { ffprobe })).toEqual([0, 12, 24, 36, 48]);
    // Packets cut short or time run out: unknown, not an error.
    expect(await probeKeyframes(info, { ffprobe, maxPackets: 10 })).toBeUndefined();
    expect(await probeKeyframes(info, { ffprobe, timeoutMs: 0 })).toBeUndefined();
  });

  it('counts from the stream\'s start time, and every frame of an intra-only stream (ffv1 -g 1)', async () => {
    const clip = await makeClip(temp.path, { name: 'intra.mkv', frames: 10, rate: '25', container: 'mkv', videoCodec: 'ffv1', extraArgs: ['-g', '1', '-output_ts_offset', '3'] });
    const info = await probeMedia(clip, { ffprobe });
    expect(info.video.startTimeSeconds).toBeGreaterThan(2.9);
    expect(await probeKeyframes(info, { ffprobe })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('moves the cuts of an upscale onto keyframes', async () => {
    const clip = await makeClip(temp.path, { name: 'gop40.mp4', frames: 600, rate: '24', videoCodec: 'libx264', extraArgs: ['-g', '40', '-keyint_min', '40', '-sc_threshold', '0'] });
    const info = await probeMedia(clip, { ffprobe });
    const keyframes = await probeKeyframes(info, { ffprobe });
    expect(keyframes).toEqual(Array.from({ length: 15 }, (_, index) => index * 40));
    const plan = planChain([{ kind: 'upscale', model: 'realesr-animevideov3-x4' } as Step], { width: 64, height: 48, frameRate: parseRational('24'), frameCount: 600, isImage: false }, await Catalog.load());
    const starts = segmentsOf({ plan, outputFrames: 600, keyframes }, { workers: 2, batch: { files: 1, frames: 600 } }).map((cut) => cut.startFrame);
    // 2 workers: borders at 75, 150, 225, 300, 375, 450, ...; a border moves to a keyframe within a quarter
    // of the 75 frames beside it (80, 160, 240, 360); 300 and 450 stay (the keyframes are 20 and 10 away, the reach 18 and 9).
    expect(starts.slice(0, 7)).toEqual([0, 80, 160, 240, 300, 360, 450]);
  });
});
