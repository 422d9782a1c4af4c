// The folder every machine of a farm sees alike (an NFS or SMB mount at the
// same path, or mapped to it): sources are read from it and segments are
// written to it. Jobs name files relative to it, and a worker resolves each
// name inside its own mount, refusing anything that would leave it: an
// absolute path, a `..`, or a symbolic link pointing outside.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';

export const FARM_FOLDER = '.framesmith-farm';

export class SharedRoot {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<SharedRoot> {
    const real = await fs.realpath(path.resolve(root)).catch(() => undefined);
    const stat = real ? await fs.stat(real).catch(() => undefined) : undefined;
    if (!real || !stat?.isDirectory()) {
      throw new InvalidArgumentError(`Expected an existing folder for the farm's shared root but received "${root}". Mount the shared storage and give its path.`);
    }
    return new SharedRoot(real);
  }

  /** `file` (absolute, on this machine) as a name relative to the shared root. */
  async toRelative(file: string): Promise<string> {
    const relative = await this.relativeOf(file);
    if (relative === undefined) {
      throw new InvalidArgumentError(`${file} is not under the farm's shared root ${this.root}: every worker must see the file, so put it on the shared storage.`);
    }
    return relative;
  }

  /** Whether `file` (absolute, on this machine, links followed) lies inside the shared root. */
  async contains(file: string): Promise<boolean> {
    return (await this.relativeOf(file)) !== undefined;
  }

  private async relativeOf(file: string): Promise<string | undefined> {
    const real = await fs.realpath(path.resolve(file)).catch(() => path.resolve(file));
    const relative = path.relative(this.root, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  /** A job's relative name resolved inside this machine's mount; refuses names that leave it. */
  async resolve(relative: string): Promise<string> {
    if (relative.length === 0 || relative.includes('\0') || path.posix.isAbsolute(relative) || path.win32.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
      throw new InvalidArgumentError(`Expected a path inside the shared root but received "${relative}".`);
    }
    const full = path.join(this.root, ...relative.split('/'));
    // The deepest existing ancestor must resolve inside the root (no link out).
    let probe = full;
    for (;;) {
      const real = await fs.realpath(probe).catch(() => undefined);
      if (real !== undefined) {
        const inside = path.relative(this.root, real);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          throw new InvalidArgumentError(`"${relative}" leads outside the shared root through a link; refusing it.`);
        }
        return full;
      }
      const parent = path.dirname(probe);
      if (parent === probe) return full;
      probe = parent;
    }
  }

  /** The folder of one farm job's record and segments (relative name). */
  jobFolder(jobId: string): string {
    return `${FARM_FOLDER}/${jobId}`;
  }
}
