// The directory listing behind the browser UI's file chooser (`framesmith
// serve` has no native dialogs). Folders first, then files, each with the
// kind the UI filters on; entries that cannot be stat'ed (broken links,
// no permission) are left out rather than failing the listing.
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DirectoryListing, FileEntry, FileEntryKind } from '../../common/api/api-types.ts';
import { InputNotFoundError, InvalidArgumentError } from '../../common/errors.ts';
import { extensionOf, mediaKindOf } from '../../common/output-naming.ts';

const MODEL_EXTENSIONS = ['.onnx', '.param', '.bin', '.pth', '.pt', '.ckpt', '.safetensors'];

export function fileKindOf(name: string): Exclude<FileEntryKind, 'directory'> {
  const media = mediaKindOf(name);
  if (media) return media;
  const extension = extensionOf(name);
  if (MODEL_EXTENSIONS.includes(extension)) return 'model';
  if (extension === '.json') return 'preset';
  return 'other';
}

export function homeFolder(): string {
  return os.homedir();
}

export async function listDirectory(dir: string, options: { showHidden?: boolean } = {}): Promise<DirectoryListing> {
  if (!path.isAbsolute(dir)) throw new InvalidArgumentError(`Expected an absolute folder path, got "${dir}".`);
  const folder = path.resolve(dir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputNotFoundError(folder, { cause: error });
    if (code === 'ENOTDIR') throw new InvalidArgumentError(`${folder} is a file, not a folder.`, { cause: error });
    throw new InvalidArgumentError(`Cannot read the folder ${folder} (${code ?? 'unknown error'}). Check its permissions.`, { cause: error });
  }
  const entries: FileEntry[] = [];
  for (const name of names) {
    if (!options.showHidden && name.startsWith('.')) continue;
    const full = path.join(folder, name);
    try {
      const info = await stat(full);
      entries.push({
        name,
        path: full,
        kind: info.isDirectory() ? 'directory' : fileKindOf(name),
        sizeBytes: info.isDirectory() ? 0 : info.size,
        modifiedAt: info.mtime.toISOString(),
      });
    } catch {
      continue;
    }
  }
  entries.sort((a, b) => Number(b.kind === 'directory') - Number(a.kind === 'directory') || a.name.localeCompare(b.name));
  const parent = path.dirname(folder);
  return { path: folder, parent: parent === folder ? null : parent, entries };
}
