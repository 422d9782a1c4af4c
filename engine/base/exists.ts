// Whether a path exists, for the checks that decide between reuse and work
// (a cached conversion, a finished segment, an output not to overwrite). Any
// failure to look (missing, no permission to the folder) reads as "absent":
// callers that then write get the real error from the write.
import { lstat, stat } from 'node:fs/promises';

export interface ExistsOptions {
  /** false: a symbolic link counts as present even when its target is gone (never write over a link). Default true. */
  followLinks?: boolean;
}

export async function exists(file: string, options: ExistsOptions = {}): Promise<boolean> {
  try {
    await (options.followLinks === false ? lstat(file) : stat(file));
    return true;
  } catch {
    return false;
  }
}
