// Output path safety shared by the video muxer, the encoder's part files and
// the image writer. Everything is written under a recognisable temporary name
// in the destination folder (same filesystem, so the final rename is atomic)
// and renamed into place only on success; the input is never overwritten; an
// existing output is kept unless the caller allows overwriting. Filesystem
// errno values are mapped to typed errors here, in one place.
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DiskFullError,
  FramesmithError,
  OutputExistsError,
  OutputIsInputError,
  OutputNotWritableError,
} from '../../common/errors.ts';
import { exists } from '../base/exists.ts';

const TEMP_MARKER = '.framesmith-tmp-';

/** Below this many free bytes a failed write is reported as a full disk. */
const DISK_FULL_THRESHOLD_BYTES = 16 * 1024 * 1024;

/**
 * A temporary sibling of `finalPath`: hidden, marked, unique, with the same
 * extension (tools that look at the extension still work).
 */
export function temporarySibling(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const ext = path.extname(finalPath);
  const base = path.basename(finalPath, ext);
  return path.join(dir, `.${base}${TEMP_MARKER}${randomBytes(6).toString('hex')}${ext}`);
}

/** True for names made by temporarySibling (for sweeping leftovers of a crash). */
export function isTemporaryName(fileName: string): boolean {
  return fileName.startsWith('.') && fileName.includes(TEMP_MARKER);
}

/** Temporary files or folders in `dir` that `finalPath`'s writers could have left behind. */
export async function listTemporarySiblings(finalPath: string): Promise<string[]> {
  const dir = path.dirname(finalPath);
  const ext = path.extname(finalPath);
  const prefix = `.${path.basename(finalPath, ext)}${TEMP_MARKER}`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(prefix)).map((name) => path.join(dir, name));
}

/** Removes a file or folder, ignoring one that is already gone. */
export async function removeQuietly(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true }).catch(() => undefined);
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/**
 * Maps a filesystem error met while writing `target` to a typed error:
 * ENOSPC/EDQUOT -> DiskFullError; EACCES/EPERM/EROFS/ENOTDIR/ENOENT/EISDIR ->
 * OutputNotWritableError; EEXIST -> OutputExistsError. Typed errors pass
 * through; anything else is returned unchanged.
 */
export function mapWriteError(error: unknown, target: string): unknown {
  if (error instanceof FramesmithError) return error;
  const code = errnoOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new DiskFullError(target, { detail, cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ENOTDIR':
    case 'ENOENT':
    case 'EISDIR':
      return new OutputNotWritableError(target, { detail, cause: error });
    case 'EEXIST':
      return new OutputExistsError(target, { detail, cause: error });
    default:
      return error;
  }
}

/**
 * After a child process (ffmpeg) failed writing into `dir`: a DiskFullError
 * when the filesystem is (nearly) full, else undefined. The free space is a
 * structured signal; ffmpeg's stderr text is not.
 */
export async function diskFullErrorFor(dir: string, target: string, detail?: string): Promise<DiskFullError | undefined> {
  try {
    const stats = await fs.statfs(dir);
    const freeBytes = Number(stats.bavail) * Number(stats.bsize);
    return freeBytes < DISK_FULL_THRESHOLD_BYTES ? new DiskFullError(target, { detail }) : undefined;
  } catch {
    return undefined;
  }
}

async function realPathOrResolved(target: string): Promise<string> {
  const absolute = path.resolve(target);
  try {
    return await fs.realpath(absolute);
  } catch {
    // Not there yet: resolve the folder (symlinks, "..", different spellings) and keep the name.
    try {
      return path.join(await fs.realpath(path.dirname(absolute)), path.basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** True when the two paths name the same file: same real path, or same device and inode. */
export async function isSameFile(a: string, b: string): Promise<boolean> {
  const [realA, realB] = await Promise.all([realPathOrResolved(a), realPathOrResolved(b)]);
  if (realA === realB) return true;
  try {
    const [statA, statB] = await Promise.all([fs.stat(a), fs.stat(b)]);
    return statA.dev === statB.dev && statA.ino === statB.ino;
  } catch {
    return false;
  }
}

/** Throws OutputIsInputError when `output` is any of `inputs` (symlinks, hard links, spellings). */
export async function assertNotInput(output: string, inputs: readonly string[]): Promise<void> {
  for (const input of inputs) {
    if (await isSameFile(output, input)) throw new OutputIsInputError(output);
  }
}

/**
 * Checks, before any work, that `dir` exists (creating it if needed) and that
 * a file can be created in it. Creating a probe file is the real test: access
 * bits lie for root, read-only mounts and network shares.
 */
export async function assertWritableFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.probe${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
    const handle = await fs.open(probe, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    await handle.close();
    await fs.unlink(probe);
  } catch (error) {
    const mapped = mapWriteError(error, dir);
    if (mapped instanceof DiskFullError) throw mapped;
    // EEXIST here means a file sits where a folder of the path should be.
    throw new OutputNotWritableError(dir, { detail: String(error), cause: error });
  }
}

export interface OutputCheckOptions {
  /** Files the job reads; the output may be none of them. */
  inputs: readonly string[];
  overwrite: boolean;
}

/**
 * All checks that can fail before any work starts: not an input, not existing
 * (unless overwrite), folder writable. Call at job start and again at finalize.
 */
export async function assertOutputAllowed(output: string, options: OutputCheckOptions): Promise<void> {
  await assertNotInput(output, options.inputs);
  if (!options.overwrite && (await exists(output, { followLinks: false }))) throw new OutputExistsError(output);
  await assertWritableFolder(path.dirname(path.resolve(output)));
}

/**
 * Moves a finished temporary file or folder to `finalPath`. Without overwrite
 * an output that appeared meanwhile is not replaced (hard link + unlink for
 * files fails atomically with EEXIST). With overwrite a file is replaced
 * atomically; a folder is swapped (old one moved aside, then removed).
 */
export async function commitTemporary(tempPath: string, finalPath: string, overwrite: boolean): Promise<void> {
  try {
    const tempStat = await fs.stat(tempPath);
    if (tempStat.isDirectory()) {
      await commitFolder(tempPath, finalPath, overwrite);
      return;
    }
    if (overwrite) {
      await fs.rename(tempPath, finalPath);
      return;
    }
    try {
      await fs.link(tempPath, finalPath);
      await fs.unlink(tempPath);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST') throw new OutputExistsError(finalPath);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') throw error;
      // Filesystems without hard links (FAT, some network shares): check, then rename.
      if (await exists(finalPath, { followLinks: false })) throw new OutputExistsError(finalPath);
      await fs.rename(tempPath, finalPath);
    }
  } catch (error) {
    throw mapWriteError(error, finalPath);
  }
}

async function commitFolder(tempPath: string, finalPath: string, overwrite: boolean): Promise<void> {
  if (!(await exists(finalPath, { followLinks: false }))) {
    await fs.rename(tempPath, finalPath);
    return;
  }
  if (!overwrite) throw new OutputExistsError(finalPath);
  const aside = temporarySibling(finalPath);
  await fs.rename(finalPath, aside);
  try {
    await fs.rename(tempPath, finalPath);
  } catch (error) {
    await fs.rename(aside, finalPath).catch(() => undefined);
    throw error;
  }
  await removeQuietly(aside);
}

/**
 * Writes bytes to `finalPath` through a temporary sibling, mapping errno to
 * typed errors and leaving nothing behind on failure.
 */
export async function writeFileAtomically(finalPath: string, data: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = temporarySibling(finalPath);
  try {
    await fs.writeFile(temp, data, { flag: 'wx' });
    await commitTemporary(temp, finalPath, overwrite);
  } catch (error) {
    await removeQuietly(temp);
    throw mapWriteError(error, finalPath);
  }
}
