// Crash-safe small JSON files. A write goes to a unique temporary sibling,
// is fsynced, renamed over the target and the folder is fsynced, so after a
// SIGKILL or a power loss the target holds either the old or the new
// content, never a torn mix. Readers ignore the temporaries; sweepTemporaries
// removes the ones a killed writer left behind. Several processes share the
// folders (a CLI run beside the app), so a temporary carries its writer's
// pid and is swept only once that process is gone (one without a pid, from
// an older release, once it is a minute old).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const TEMP_INFIX = '.tmp-';

/** True for the temporaries writeJsonDurably makes (never read as data). */
export function isDurableTemporary(fileName: string): boolean {
  return fileName.includes(TEMP_INFIX);
}

/** Makes `dir`'s entries (a rename, a new file) durable. Some platforms cannot open folders: ignored there. */
export async function fsyncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; NTFS journals the rename itself.
  } finally {
    await handle?.close();
  }
}

/** Writes `value` as JSON to `file` atomically and durably. */
export async function writeJsonDurably(file: string, value: unknown): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `${path.basename(file)}${TEMP_INFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await fs.open(temp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 1)}\n`, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fsyncFolder(dir);
}

/** Removes `file` durably (no error when it is gone). */
export async function removeDurably(file: string): Promise<void> {
  await fs.rm(file, { force: true, recursive: true });
  await fsyncFolder(path.dirname(file));
}

/** Parsed JSON of `file`, or undefined when it does not exist. Other errors (bad JSON) are thrown. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/** True when a process with this id exists (signal 0 checks without sending). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ORPHAN_AGE_MS = 60_000;

async function isOrphan(dir: string, name: string): Promise<boolean> {
  const writer = /\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
  if (writer) {
    const pid = Number(writer[1]);
    return pid !== process.pid && !isProcessAlive(pid);
  }
  const stat = await fs.stat(path.join(dir, name)).catch(() => undefined);
  return stat !== undefined && Date.now() - stat.mtimeMs > ORPHAN_AGE_MS;
}

/** Removes temporaries that killed writers left in `dir` (never a live process's write in progress). */
export async function sweepTemporaries(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter(isDurableTemporary)) {
    if (await isOrphan(dir, name)) await fs.rm(path.join(dir, name), { force: true, recursive: true });
  }
}
