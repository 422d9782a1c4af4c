// Slow-motion muxing (atempo chains, audio re-encoded and filtered,
// subtitles and chapters left out with notices) and the cheap frame facts
// (duplicates, scene cuts) on synthetic frames.
import { describe, expect, it } from 'vitest';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import type { MediaInfo } from '../../../engine/media/media-info.ts';
import { atempoChain, planMux } from '../../../engine/media/muxer.ts';
import { compareSignatures, DEFAULT_SCENE_THRESHOLD, frameFacts, frameSignature } from '../../../engine/tasks/interpolation-scene.ts';

function source(): MediaInfo {
  return {
    path: '/in/source.mp4',
    formatName: 'mov,mp4',
    durationSeconds: 1,
    sizeBytes: 1000,
    video: {} as MediaInfo['video'],
    audio: [{ index: 1, codec: 'aac' } as MediaInfo['audio'][number]],
    subtitles: [{ index: 2, codec: 'mov_text' } as MediaInfo['subtitles'][number]],
    attachments: [],
    chapters: [],
    tags: {},
  };
}

function solid(width: number, height: number, rgb: [number, number, number], index = 0): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, bitDepth: 8, data, index };
}

describe('slow-motion muxing', () => {
  it('chains atempo stages within 0.5..100', () => {
    expect(atempoChain(0.5)).toBe('atempo=0.500000');
    expect(atempoChain(0.25)).toBe('atempo=0.5,atempo=0.500000');
    expect(atempoChain(1 / 3)).toBe('atempo=0.5,atempo=0.666667');
    expect(atempoChain(0.1)).toBe('atempo=0.5,atempo=0.5,atempo=0.5,atempo=0.800000');
    expect(() => atempoChain(0)).toThrow(/positive audio tempo/);
  });

  it('re-encodes and slows the audio, and leaves out subtitles and chapters', () => {
    const { args, notices } = planMux({ ffmpegPath: 'ffmpeg', videoParts: ['/w/p.mp4'], source: source(), outputPath: '/o/out.mp4', timeStretch: 4 }, 'mp4', ['-i', '/w/p.mp4'], '/o/tmp.mp4');
    expect(args.join(' ')).toContain('-map 1:1 -c:v copy -c:1 aac -filter:1 atempo=0.5,atempo=0.500000');
    expect(args).not.toContain('1:2');
    expect(args.join(' ')).toContain('-map_chapters -1');
    expect(notices.map((notice) => [notice.streamType, notice.action])).toEqual([['audio', 'transcoded'], ['subtitle', 'dropped']]);
  });

  it('copies everything as before without a stretch', () => {
    const { args, notices } = planMux({ ffmpegPath: 'ffmpeg', videoParts: ['/w/p.mp4'], source: source(), outputPath: '/o/out.mp4' }, 'mp4', ['-i', '/w/p.mp4'], '/o/tmp.mp4');
    expect(args.join(' ')).toContain('-c:1 copy -c:2 copy');
    expect(args.join(' ')).not.toContain('atempo');
    expect(notices).toEqual([]);
  });
});

describe('frame facts', () => {
  it('finds exact and near duplicates but not a small moving object', () => {
    const a = solid(128, 64, [100, 120, 140]);
    const noisy = solid(128, 64, [101, 120, 139]);
    expect(frameFacts(frameSignature(a), frameSignature(noisy), DEFAULT_SCENE_THRESHOLD)).toEqual({ duplicate: true, cut: false });
    const moved = solid(128, 64, [100, 120, 140]);
    // 8x8 of 128x64 pixels: 0.8% of the picture changes visibly.
    for (let y = 10; y < 18; y += 1) for (let x = 20; x < 28; x += 1) moved.data.set([250, 250, 250], (y * 128 + x) * 3);
    expect(frameFacts(frameSignature(a), frameSignature(moved), DEFAULT_SCENE_THRESHOLD)).toEqual({ duplicate: false, cut: false });
  });

  it('scores a change of content above the default threshold and a shift below', () => {
    const gradient = (offset: number): RgbFrame => {
      const frame = solid(96, 48, [0, 0, 0]);
      for (let y = 0; y < 48; y += 1) for (let x = 0; x < 96; x += 1) {
        const v = ((x + offset) * 2) % 256;
        frame.data.set([v, 255 - v, (y * 5) % 256], (y * 96 + x) * 3);
      }
      return frame;
    };
    const shift = compareSignatures(frameSignature(gradient(0)), frameSignature(gradient(2)));
    expect(shift.sceneScore).toBeLessThan(DEFAULT_SCENE_THRESHOLD);
    const cut = frameFacts(frameSignature(gradient(0)), frameSignature(solid(96, 48, [200, 30, 30])), DEFAULT_SCENE_THRESHOLD);
    expect(cut).toEqual({ duplicate: false, cut: true });
    expect(frameFacts(undefined, frameSignature(gradient(0)), DEFAULT_SCENE_THRESHOLD)).toEqual({ duplicate: false, cut: false });
  });
});
