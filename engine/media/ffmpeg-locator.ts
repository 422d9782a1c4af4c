// Finds ffmpeg and ffprobe with no manual step, in this order: the app's
// setting, FFMPEG_PATH / FFPROBE_PATH, the copy bundled with a packaged app,
// a system binary on PATH when it is new enough (5.1: it then beats the npm
// build, a 2018 git build near 4.1), the binaries of the npm packages
// @ffmpeg-installer/<os>-<arch> and @ffprobe-installer/<os>-<arch>, and last
// an older system binary the engine still supports (4.1). Each tool records
// where it came from, why, and what was passed over, so `doctor` can say it.
//
// npm installs with scripts off leave the ffprobe file without its execute
// bit: it is set here, or, where the package folder is read-only (an
// AppImage, a shared install), the binary is copied once into a folder of
// ours and run from there. Inside a packaged Electron app the packages sit
// in app.asar.unpacked, which is where the path is rewritten to.
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FfmpegNotFoundError } from '../../common/errors.ts';
import { perUserTempDir } from './per-user-temp.ts';
import { compareReleases, formatRelease, readVersionSync, type FfmpegRelease, type FfmpegVersion } from './ffmpeg-capabilities.ts';

export type FfmpegTool = 'ffmpeg' | 'ffprobe';
export type ToolSource = 'setting' | 'environment' | 'bundled' | 'path' | 'npm';

/** A system ffmpeg at least this new is preferred over the npm build. */
export const PREFERRED_SYSTEM_RELEASE: FfmpegRelease = { major: 5, minor: 1 };
/** The oldest release the engine builds commands for (the npm build's). */
export const OLDEST_SUPPORTED_RELEASE: FfmpegRelease = { major: 4, minor: 1 };

export interface LocatedTool {
  tool: FfmpegTool;
  path: string;
  source: ToolSource;
  /** Why this one, in words (for doctor and logs). */
  reason: string;
  /** Candidates passed over before it, each with why. */
  skipped: string[];
}

export interface FfmpegLocatorOptions {
  /** Paths the user set in the app's settings. */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Folder holding bundled binaries (resolved by the app, e.g. resources/ffmpeg). */
  bundledDir?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Where an npm binary is copied when its package folder is read-only and
   * the file lacks its execute bit. Default: a per-user folder in the temp dir.
   */
  executableCopyDir?: string;
  /**
   * Folders holding the npm packages' binaries, by tool; default: resolved
   * from node_modules. `null` says there is no npm copy (tests).
   */
  npmDirs?: Partial<Record<FfmpegTool, string | null>>;
}

export interface FfmpegTools {
  ffmpeg: LocatedTool;
  ffprobe: LocatedTool;
}

const NPM_SCOPES: Readonly<Record<FfmpegTool, string>> = { ffmpeg: '@ffmpeg-installer', ffprobe: '@ffprobe-installer' };

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function executableName(tool: FfmpegTool): string {
  return process.platform === 'win32' ? `${tool}.exe` : tool;
}

function searchPath(tool: FfmpegTool, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, executableName(tool));
    if (existsSync(candidate) && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A path inside an Electron app's asar archive, moved to the unpacked copy beside it. */
export function unpackedAsarPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** The folder of this platform's npm package for `tool`, when installed. */
export function npmPackageDir(tool: FfmpegTool): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    return unpackedAsarPath(path.dirname(require.resolve(`${NPM_SCOPES[tool]}/${process.platform}-${process.arch}/package.json`)));
  } catch {
    return undefined;
  }
}

/**
 * `file` as something this process can execute: as it is, with its execute
 * bit set, or copied into `copyDir` (once per size and date) when the bit
 * cannot be set. Undefined when none works.
 */
export function ensureExecutable(file: string, copyDir: string): { path: string; how: string } | undefined {
  if (!existsSync(file)) return undefined;
  if (isExecutable(file)) return { path: file, how: '' };
  try {
    chmodSync(file, statSync(file).mode | 0o111);
    if (isExecutable(file)) return { path: file, how: ', execute bit set' };
  } catch {
    // Read-only folder or another owner: copy below.
  }
  const stat = statSync(file);
  const target = path.join(copyDir, `${Math.round(stat.mtimeMs)}-${stat.size}`, path.basename(file));
  if (isExecutable(target) && statSync(target).size === stat.size) return { path: target, how: `, run from a copy in ${path.dirname(target)}` };
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.partial-${process.pid}`;
    copyFileSync(file, partial);
    chmodSync(partial, 0o755);
    renameSync(partial, target);
    return isExecutable(target) ? { path: target, how: `, copied to ${path.dirname(target)} to run it` } : undefined;
  } catch {
    return undefined;
  }
}

function defaultCopyDir(): string {
  return perUserTempDir('framesmith-bin');
}

function atLeast(version: FfmpegVersion | undefined, release: FfmpegRelease): boolean {
  return version?.release ? compareReleases(version.release, release) >= 0 : false;
}

export function locateTool(tool: FfmpegTool, options: FfmpegLocatorOptions = {}): LocatedTool {
  const env = options.env ?? process.env;
  const searched: string[] = [];
  const skipped: string[] = [];
  const setting = tool === 'ffmpeg' ? options.ffmpegPath : options.ffprobePath;
  const variable = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const explicit: [string | undefined, ToolSource, string][] = [
    [setting, 'setting', `the ${tool} path set in Settings`],
    [env[variable], 'environment', `${variable} is set`],
    [options.bundledDir ? path.join(options.bundledDir, executableName(tool)) : undefined, 'bundled', 'the copy bundled with the app'],
  ];
  for (const [candidate, source, why] of explicit) {
    if (!candidate) continue;
    searched.push(`${source}: ${candidate}`);
    if (isExecutable(candidate)) return { tool, path: candidate, source, reason: why, skipped };
    skipped.push(`${source} ${candidate}: not an executable file`);
  }

  searched.push('PATH');
  const onPath = searchPath(tool, env);
  const pathVersion = onPath ? readVersionSync(onPath) : undefined;
  if (onPath && atLeast(pathVersion, PREFERRED_SYSTEM_RELEASE)) {
    return { tool, path: onPath, source: 'path', reason: `on PATH, release ${formatRelease(pathVersion!.release)} (${formatRelease(PREFERRED_SYSTEM_RELEASE)} or newer is preferred over the npm build)`, skipped };
  }
  if (onPath) skipped.push(`PATH ${onPath}: release ${formatRelease(pathVersion?.release ?? null)}, older than ${formatRelease(PREFERRED_SYSTEM_RELEASE)}`);

  const npmDir = options.npmDirs?.[tool] === undefined ? npmPackageDir(tool) : options.npmDirs[tool] ?? undefined;
  const packageName = `${NPM_SCOPES[tool]}/${process.platform}-${process.arch}`;
  searched.push(`npm ${packageName}`);
  if (npmDir) {
    const runnable = ensureExecutable(path.join(npmDir, executableName(tool)), options.executableCopyDir ?? defaultCopyDir());
    if (runnable) return { tool, path: runnable.path, source: 'npm', reason: `from the npm package ${packageName}${runnable.how}`, skipped };
    skipped.push(`npm ${packageName}: its ${tool} cannot be run here`);
  } else {
    skipped.push(`npm ${packageName}: not installed`);
  }

  if (onPath && atLeast(pathVersion, OLDEST_SUPPORTED_RELEASE)) {
    return { tool, path: onPath, source: 'path', reason: `on PATH, release ${formatRelease(pathVersion!.release)} (older than preferred, and no npm copy)`, skipped };
  }
  throw new FfmpegNotFoundError(tool, searched, { detail: skipped.join('\n') });
}

export function locateFfmpegTools(options: FfmpegLocatorOptions = {}): FfmpegTools {
  return { ffmpeg: locateTool('ffmpeg', options), ffprobe: locateTool('ffprobe', options) };
}
