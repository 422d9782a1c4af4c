// Finds ffmpeg and ffprobe: an explicit setting, then FFMPEG_PATH /
// FFPROBE_PATH, then a bundled binary (packaged apps ship one per platform),
// then PATH. `doctor` reports which one was used and why.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { FfmpegNotFoundError } from '../../common/errors.ts';

export type FfmpegTool = 'ffmpeg' | 'ffprobe';
export type ToolSource = 'setting' | 'environment' | 'bundled' | 'path';

export interface LocatedTool {
  tool: FfmpegTool;
  path: string;
  source: ToolSource;
}

export interface FfmpegLocatorOptions {
  /** Paths the user set in the app's settings. */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Folder holding bundled binaries (resolved by the app, e.g. resources/ffmpeg). */
  bundledDir?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface FfmpegTools {
  ffmpeg: LocatedTool;
  ffprobe: LocatedTool;
}

function isExecutable(file: string): boolean {
  try {
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

export function locateTool(tool: FfmpegTool, options: FfmpegLocatorOptions = {}): LocatedTool {
  const env = options.env ?? process.env;
  const searched: string[] = [];
  const setting = tool === 'ffmpeg' ? options.ffmpegPath : options.ffprobePath;
  const fromEnv = tool === 'ffmpeg' ? env.FFMPEG_PATH : env.FFPROBE_PATH;
  const candidates: [string | undefined, ToolSource][] = [
    [setting, 'setting'],
    [fromEnv, 'environment'],
    [options.bundledDir ? path.join(options.bundledDir, executableName(tool)) : undefined, 'bundled'],
  ];
  for (const [candidate, source] of candidates) {
    if (!candidate) continue;
    searched.push(`${source}: ${candidate}`);
    if (existsSync(candidate) && isExecutable(candidate)) return { tool, path: candidate, source };
  }
  const onPath = searchPath(tool, env);
  searched.push('PATH');
  if (onPath) return { tool, path: onPath, source: 'path' };
  throw new FfmpegNotFoundError(tool, searched);
}

export function locateFfmpegTools(options: FfmpegLocatorOptions = {}): FfmpegTools {
  return { ffmpeg: locateTool('ffmpeg', options), ffprobe: locateTool('ffprobe', options) };
}
