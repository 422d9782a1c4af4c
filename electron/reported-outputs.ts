// What the window may ask the operating system to open: only files the
// engine reported as job outputs, and their folders. shell.openPath launches
// whatever it is given (a macOS .app, a Windows .lnk or a UNC path that
// sends the user's credentials to another machine), so a page that could
// name any path could run programs. UNC paths are refused outright.
import path from 'node:path';
import type { JobEvent } from '../common/jobs.ts';

/** Most outputs remembered; the oldest are forgotten first. */
const CAPACITY = 5000;

/** True for Windows network paths (\\server\share, //server/share, \\?\UNC\...). */
export function isNetworkPath(target: string): boolean {
  return /^[\\/]{2}/.test(target);
}

export class ReportedOutputs {
  private readonly files = new Set<string>();

  constructor(private readonly platformPath: typeof path = path) {}

  /** Feed every job event here; item outputs of job snapshots are remembered. */
  observe(event: JobEvent): void {
    if (event.type !== 'state') return;
    for (const item of event.job.items) this.add(item.output);
  }

  add(file: string): void {
    if (!this.platformPath.isAbsolute(file) || isNetworkPath(file)) return;
    const normal = this.platformPath.normalize(file);
    this.files.delete(normal);
    this.files.add(normal);
    while (this.files.size > CAPACITY) {
      const oldest = this.files.values().next().value;
      if (oldest === undefined) break;
      this.files.delete(oldest);
    }
  }

  /** An output the engine reported, or the folder of one. */
  canOpen(target: string): boolean {
    if (!this.platformPath.isAbsolute(target) || isNetworkPath(target)) return false;
    const normal = this.platformPath.normalize(target).replace(/[\\/]+$/, '') || this.platformPath.sep;
    if (this.files.has(normal)) return true;
    for (const file of this.files) {
      if (this.platformPath.dirname(file) === normal) return true;
    }
    return false;
  }
}
