// What an ffmpeg says about itself, parsed: versions of release builds and of
// git builds (placed by libavcodec), option names from `-h full`, and which
// options of a command a binary lacks.
import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion, parseOptionNames, unknownOptions } from '../../../engine/media/ffmpeg-capabilities.ts';
import { parseExperimentalEncoders } from '../../../engine/media/codecs.ts';

const NPM_BUILD = `ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018 the FFmpeg developers
built with gcc 6.3.0 (Debian 6.3.0-18+deb9u1) 20170516
libavutil      56. 24.101 / 56. 24.101
libavcodec     58. 42.100 / 58. 42.100
libavformat    58. 24.100 / 58. 24.100
`;

const DEBIAN = `ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers
libavutil      57. 28.100 / 57. 28.100
libavcodec     59. 37.100 / 59. 37.100
`;

describe('parseFfmpegVersion', () => {
  it('reads a release build from its version text', () => {
    const version = parseFfmpegVersion(DEBIAN);
    expect(version.text).toBe('5.1.9-0+deb12u1');
    expect(version.release).toEqual({ major: 5, minor: 1 });
    expect(version.libraries.libavcodec).toEqual([59, 37, 100]);
    expect(parseFfmpegVersion('ffmpeg version n7.0.2 Copyright\n').release).toEqual({ major: 7, minor: 0 });
    expect(parseFfmpegVersion('ffprobe version 6.1-static https://x\n').release).toEqual({ major: 6, minor: 1 });
  });

  it('places a git build by its libavcodec version', () => {
    const version = parseFfmpegVersion(NPM_BUILD);
    expect(version.text).toBe('N-47683-g0e8eb07980-static');
    expect(version.release).toEqual({ major: 4, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version N-1-gabc\nlibavcodec     59. 37.100 / 59. 37.100\n').release).toEqual({ major: 5, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version N-1-gabc\nlibavcodec     57. 10.100 / 57. 10.100\n').release).toBeNull();
    expect(parseFfmpegVersion('garbage').text).toBe('unknown');
  });
});

describe('options', () => {
  const help = `Main options:
-f fmt              force format
-y                  overwrite output files
-stats              print progress report during encoding
-vsync              video sync method
AVCodecContext AVOptions:
  -b                 <int64>      E..VA.... set bitrate (in bits/s) (from 0 to I64_MAX) (default 200000)
  -x265-params       <string>     E..V..... set the x265 configuration
`;
  const names = parseOptionNames(help);

  it('lists every option a help text names', () => {
    expect([...names].sort()).toEqual(['b', 'f', 'stats', 'vsync', 'x265-params', 'y']);
  });

  it('finds the options of a command the binary lacks, with stream specifiers, -i and -noX', () => {
    expect(unknownOptions(['-i', 'in.mp4', '-nostats', '-b:1', '192k', '-map_metadata', '-1', '-f', 'mp4', '-y', 'out'], names)).toEqual(['map_metadata']);
    expect(unknownOptions(['-fps_mode', 'passthrough', '-vsync', '0', '-fps_mode', 'x', '-movie_timescale', '24000'], names)).toEqual(['fps_mode', 'movie_timescale']);
  });

  it('reads the experimental flag of the encoder listing', () => {
    const listing = ' V..X.. libaom-av1           libaom AV1 (codec av1)\n V..... libx264              libx264 H.264\n V....D libsvtav1            SVT-AV1\n';
    expect([...parseExperimentalEncoders(listing)]).toEqual(['libaom-av1']);
  });
});
