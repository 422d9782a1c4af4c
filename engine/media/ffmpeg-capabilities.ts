// What one ffmpeg binary is and can do, learned by asking it (`-version`,
// `-h full`) rather than assumed: its version and library versions, the
// release they correspond to, and every option name it accepts. Commands are
// built from these facts (`-fps_mode` exists from 5.1, 4.x knows `-vsync`;
// `-movie_timescale` from 4.3), and a failed run is explained from them: if
// the command used an option this binary does not list, the failure is the
// binary's (FfmpegOptionUnsupportedError naming its path and version), never
// a damaged input. Answers are cached in the instance (make one per binary)
// and across processes (binary-answers.ts).
import { FfmpegOptionUnsupportedError } from '../../common/errors.ts';
import { askBinary, askBinarySync } from './binary-answers.ts';

/** A release as major.minor (e.g. 5.1). */
export interface FfmpegRelease {
  major: number;
  minor: number;
}

export interface FfmpegVersion {
  /** What the binary calls itself: "5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static". */
  text: string;
  /** The release it is or is built from; from the version text or, for git builds, from libavcodec. Null when neither says. */
  release: FfmpegRelease | null;
  /** Library versions as printed (libavcodec: [58, 42, 100]). */
  libraries: Readonly<Record<string, readonly [number, number, number]>>;
}

export interface FfmpegDescription {
  path: string;
  version: FfmpegVersion;
  /** Every option name the binary lists in `-h full`, without the leading dash. */
  options: ReadonlySet<string>;
  /** Arguments that make the output keep the input's frames and timestamps as they are. */
  passthroughTimingArgs: readonly string[];
}

/**
 * libavcodec major.minor of each release (from FFmpeg's release notes), so a
 * git build that prints only a commit can still be placed. Newest first.
 */
const LIBAVCODEC_RELEASES: readonly (readonly [number, number, number, number])[] = [
  [62, 11, 8, 0], [61, 19, 7, 1], [61, 3, 7, 0], [60, 31, 6, 1], [60, 3, 6, 0], [59, 37, 5, 1], [59, 18, 5, 0],
  [58, 134, 4, 4], [58, 91, 4, 3], [58, 54, 4, 2], [58, 35, 4, 1], [58, 18, 4, 0],
];

export function compareReleases(a: FfmpegRelease, b: FfmpegRelease): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function formatRelease(release: FfmpegRelease | null): string {
  return release ? `${release.major}.${release.minor}` : 'unknown';
}

function releaseFromLibavcodec(version: readonly [number, number, number] | undefined): FfmpegRelease | null {
  if (!version) return null;
  for (const [major, minor, releaseMajor, releaseMinor] of LIBAVCODEC_RELEASES) {
    if (version[0] > major || (version[0] === major && version[1] >= minor)) return { major: releaseMajor, minor: releaseMinor };
  }
  return null;
}

/** Parses `ffmpeg -version` (or ffprobe's): the version text, library versions, the release. */
export function parseFfmpegVersion(text: string): FfmpegVersion {
  const versionText = /^\S+ version (\S+)/m.exec(text)?.[1] ?? 'unknown';
  const libraries: Record<string, readonly [number, number, number]> = {};
  for (const match of text.matchAll(/^(lib\w+)\s+(\d+)\.\s*(\d+)\.\s*(\d+)/gm)) {
    libraries[match[1]!] = [Number(match[2]), Number(match[3]), Number(match[4])];
  }
  const numbered = /^n?(\d+)\.(\d+)/.exec(versionText);
  const release = numbered ? { major: Number(numbered[1]), minor: Number(numbered[2]) } : releaseFromLibavcodec(libraries.libavcodec);
  return { text: versionText, release, libraries };
}

/** Option names (without the dash) from `ffmpeg -h full`: every line that starts with an option. */
export function parseOptionNames(help: string): Set<string> {
  const names = new Set<string>();
  for (const match of help.matchAll(/^\s*-([A-Za-z][\w-]*)/gm)) names.add(match[1]!);
  return names;
}

/**
 * The option names a command line uses that `options` does not list. A
 * token is an option when it starts with a dash and a letter; a stream
 * specifier (`-c:v`, `-b:1`) is stripped first. Values never start that way
 * in the commands the engine builds (negative numbers start with a digit).
 */
export function unknownOptions(args: readonly string[], options: ReadonlySet<string>): string[] {
  const unknown: string[] = [];
  for (const token of args) {
    if (!/^-[A-Za-z]/.test(token)) continue;
    const name = token.slice(1).split(':')[0]!;
    // `-i` is in the usage line, not the table; a boolean `-x` also takes the form `-nox`.
    const known = name === 'i' || options.has(name) || (name.startsWith('no') && options.has(name.slice(2)));
    if (!known && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

/** Synchronous `-version` query (used while locating, where a version decides). */
export function readVersionSync(executable: string): FfmpegVersion | undefined {
  const answer = askBinarySync(executable, ['-hide_banner', '-version']);
  return answer === undefined ? undefined : parseFfmpegVersion(answer);
}

export class FfmpegCapabilities {
  readonly path: string;
  private described: Promise<FfmpegDescription> | undefined;

  constructor(ffmpegPath: string) {
    this.path = ffmpegPath;
  }

  /** The binary's version and options (asked once; a failed query is asked again next time). */
  describe(signal?: AbortSignal): Promise<FfmpegDescription> {
    this.described ??= this.query(signal);
    this.described.catch(() => {
      this.described = undefined;
    });
    return this.described;
  }

  /**
   * Called after a run of this binary failed: FfmpegOptionUnsupportedError
   * when the command used options the binary does not have, else undefined
   * (the caller's own explanation stands).
   */
  async explainFailure(args: readonly string[], detail: string, signal?: AbortSignal): Promise<FfmpegOptionUnsupportedError | undefined> {
    const description = await this.describe(signal).catch(() => undefined);
    if (!description) return undefined;
    const unknown = unknownOptions(args, description.options);
    if (unknown.length === 0) return undefined;
    return new FfmpegOptionUnsupportedError(this.path, description.version.text, formatRelease(description.version.release), unknown, { detail });
  }

  private async query(signal?: AbortSignal): Promise<FfmpegDescription> {
    const [version, help] = await Promise.all([
      askBinary(this.path, ['-hide_banner', '-version'], 'reporting its version', { signal }),
      askBinary(this.path, ['-hide_banner', '-h', 'full'], 'listing its options', { signal }),
    ]);
    const options = parseOptionNames(help);
    return {
      path: this.path,
      version: parseFfmpegVersion(version),
      options,
      // -vsync is deprecated from 5.1 and gone in 7; before 5.1 it is the only way.
      passthroughTimingArgs: options.has('fps_mode') ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'],
    };
  }
}
