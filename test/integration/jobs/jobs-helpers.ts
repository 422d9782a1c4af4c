// Shared by the job tests: a lossless fingerprint of every decoded frame, and
// the environment that points a CLI run at a test-owned data folder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';

const run = promisify(execFile);

/** One MD5 per decoded video frame (rgb24), in order: equal lists mean equal pictures. */
export async function frameHashes(file: string): Promise<string[]> {
  const { stdout } = await run(locateTool('ffmpeg').path, ['-v', 'error', '-i', file, '-map', '0:v:0', '-pix_fmt', 'rgb24', '-f', 'framemd5', '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.length > 0 && !line.startsWith('#')).map((line) => line.split(',').at(-1)?.trim() ?? '');
}

export function jobEnv(dataDir: string, cacheDir: string): Record<string, string> {
  return { FRAMESMITH_DATA: dataDir, FRAMESMITH_CACHE: cacheDir, FRAMESMITH_SEGMENT_FRAMES: '8' };
}
