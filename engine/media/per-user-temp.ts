// A folder of this user's in the system temp folder (`<tmp>/<name>-<uid>`):
// for copies of npm's ffmpeg binaries and what those binaries answered.
import os from 'node:os';
import path from 'node:path';

export function perUserTempDir(name: string): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `${name}-${user}`);
}
