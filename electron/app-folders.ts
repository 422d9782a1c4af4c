// The desktop app uses the same per-user folders as the CLI (FRAMESMITH_DATA
// and FRAMESMITH_CACHE override them), so the queue, presets and downloaded
// models are shared: a job added with `framesmith run` shows in the window.
import os from 'node:os';
import path from 'node:path';

export function dataFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FRAMESMITH_DATA) return path.resolve(env.FRAMESMITH_DATA);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Framesmith');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Framesmith');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'framesmith');
}

export function cacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FRAMESMITH_CACHE) return path.resolve(env.FRAMESMITH_CACHE);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'Framesmith', 'Cache');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'Framesmith');
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'framesmith');
}
