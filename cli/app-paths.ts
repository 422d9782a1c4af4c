// Where the CLI keeps its caches (converted models, verification records):
// the platform's per-user cache folder, overridable with FRAMESMITH_CACHE.
import os from 'node:os';
import path from 'node:path';

export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FRAMESMITH_CACHE) return path.resolve(env.FRAMESMITH_CACHE);
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'Framesmith', 'Cache');
  }
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'Framesmith');
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'framesmith');
}

/** Where `framesmith gpu install` puts GPU execution providers: inside the data folder. */
export function userGpuDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'gpu');
}

/** The per-user data folder (job queue, work folders, presets), overridable with FRAMESMITH_DATA. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FRAMESMITH_DATA) return path.resolve(env.FRAMESMITH_DATA);
  if (process.platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Framesmith');
  }
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Framesmith');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'framesmith');
}
