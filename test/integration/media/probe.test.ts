import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rational } from '../../../common/rational.ts';
import { locateFfmpegTools } from '../../../engine/media/ffmpeg-locator.ts';
import { probeMedia } from '../../../engine/media/probe.ts';
import {
  makeAudioOnlyFile,
  makeClip,
  makeCorruptClip,
  makeNonMediaFile,
  makeOddSizeClip,
  makeRotatedClip,
  makeStillImage,
  makeTempDir,
  makeTenBitClip,
  makeVfrClip,
  type TempDir,
} from '../../helpers/media-fixtures.ts';
import { mediaAsset } from '../../helpers/shared-assets.ts';

const { ffprobe } = locateFfmpegTools();
const probe = (file: string) => probeMedia(file, { ffprobe: ffprobe.path });

describe('probeMedia', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.dispose();
  });

  it('reads an mp4 with audio, subtitles, chapters and a title', async () => {
    const file = await makeClip(dir.path, { frames: 10, rate: '25', audio: true, subtitles: true, chapters: true, title: 'Fixture' });
    const info = await probe(file);
    expect(info.video).toMatchObject({ codec: 'h264', width: 64, height: 48, pixelFormat: 'yuv420p', bitDepth: 8, hasAlpha: false, frameCount: 10, rotation: 0, variableFrameRate: false, isImage: false });
    expect(info.video.frameRate).toEqual(rational(25));
    expect(info.durationSeconds).toBeCloseTo(0.4, 2);
    expect(info.audio).toHaveLength(1);
    expect(info.audio[0]).toMatchObject({ codec: 'aac', channels: 1, sampleRate: 48000 });
    expect(info.subtitles.map((s) => s.codec)).toEqual(['mov_text']);
    expect(info.chapters.map((c) => c.title)).toEqual(['First', 'Second']);
    expect(info.chapters[1]?.startSeconds).toBeCloseTo(0.2, 2);
    expect(info.tags.title).toBe('Fixture');
  });

  it('keeps NTSC rates exact and counts Matroska frames packet by packet', async () => {
    const file = await makeClip(dir.path, { frames: 10, rate: '30000/1001', container: 'mkv', audio: true, subtitles: true, chapters: true });
    const info = await probe(file);
    expect(info.video.frameRate).toEqual(rational(30000, 1001));
    expect(info.video.frameCount).toBe(10);
    expect(info.video.variableFrameRate).toBe(false);
    expect(info.subtitles.map((s) => s.codec)).toEqual(['subrip']);
    expect(info.chapters).toHaveLength(2);
  });

  it('counts WebM frames exactly', async () => {
    const file = await makeClip(dir.path, { frames: 12, rate: '24000/1001', container: 'webm', audio: true });
    const info = await probe(file);
    expect(info.video.codec).toBe('vp9');
    expect(info.video.frameRate).toEqual(rational(24000, 1001));
    expect(info.video.frameCount).toBe(12);
    expect(info.audio[0]?.codec).toBe('opus');
  });

  it.skipIf(!mediaAsset('video/Big_Buck_Bunny_180_10s.webm'))('probes the shared Big Buck Bunny webm as 320x180, 30 fps, 300 frames', async () => {
    const info = await probe(mediaAsset('video/Big_Buck_Bunny_180_10s.webm') as string);
    expect(info.video.width).toBe(320);
    expect(info.video.height).toBe(180);
    expect(info.video.frameRate).toEqual(rational(30));
    expect(info.video.frameCount).toBe(300);
    expect(info.video.variableFrameRate).toBe(false);
    expect(info.durationSeconds).toBeCloseTo(10, 3);
  });

  it('reports 10-bit sources', async () => {
    for (const codec of ['ffv1', 'libx265'] as const) {
      const info = await probe(await makeTenBitClip(dir.path, { frames: 4, codec }));
      expect(info.video.pixelFormat).toBe('yuv420p10le');
      expect(info.video.bitDepth).toBe(10);
      expect(info.video.frameCount).toBe(4);
    }
  });

  it('reports odd sizes as they are', async () => {
    const info = await probe(await makeOddSizeClip(dir.path));
    expect([info.video.width, info.video.height]).toEqual([321, 179]);
    expect(info.video.frameCount).toBe(5);
  });

  it('gives the displayed size and clockwise rotation of a rotated clip', async () => {
    const info = await probe(await makeRotatedClip(dir.path));
    expect(info.video.rotation).toBe(90);
    expect([info.video.codedWidth, info.video.codedHeight]).toEqual([64, 48]);
    expect([info.video.width, info.video.height]).toEqual([48, 64]);
  });

  it('flags variable frame rate in mp4 and Matroska with the exact average rate', async () => {
    for (const container of ['mp4', 'mkv'] as const) {
      const clip = await makeVfrClip(dir.path, { container });
      const info = await probe(clip.path);
      expect(info.video.variableFrameRate).toBe(true);
      expect(info.video.frameCount).toBe(clip.storedFrames);
      // 30 frames from the first timestamp (0) to the last (1.95 s).
      expect(info.video.frameRate).toEqual(rational(200, 13));
      expect(info.audio).toHaveLength(1);
    }
  });

  it('flags still images', async () => {
    for (const format of ['png', 'jpg', 'webp', 'tiff'] as const) {
      const info = await probe(await makeStillImage(dir.path, format, { width: 33, height: 17 }));
      expect(info.video.isImage).toBe(true);
      expect(info.video.frameCount).toBe(1);
      expect([info.video.width, info.video.height]).toEqual([33, 17]);
    }
    const rgba = await probe(await makeStillImage(dir.path, 'png', { pixelFormat: 'rgba64be' }));
    expect(rgba.video.hasAlpha).toBe(true);
    expect(rgba.video.bitDepth).toBe(16);
  });

  it('gives every bad input its typed error', async () => {
    await expect(probe(dir.file('missing.mp4'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    await expect(probe(await makeNonMediaFile(dir.path))).rejects.toMatchObject({ code: 'INPUT_NOT_MEDIA' });
    await expect(probe(dir.path)).rejects.toMatchObject({ code: 'INPUT_NOT_MEDIA' });
    await expect(probe(await makeAudioOnlyFile(dir.path))).rejects.toMatchObject({ code: 'NO_VIDEO_STREAM' });
    // A damaged file still probes (its index is intact); decoding reports it.
    const corrupt = await probe(await makeCorruptClip(dir.path));
    expect(corrupt.video.frameCount).toBe(30);
  });

  it('stops when the signal fires', async () => {
    const file = await makeClip(dir.path, { frames: 3, name: 'cancel.mkv', container: 'mkv' });
    await expect(probeMedia(file, { ffprobe: ffprobe.path, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
