// Turns what a user names (files, folders, glob patterns) into the list of
// media files a job processes, in a stable order, without duplicates.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { InputNotFoundError, InvalidArgumentError } from '../../common/errors.ts';
import { mediaKindOf, type MediaKind } from '../../common/output-naming.ts';

export interface InputItem {
  /** Absolute path of the file. */
  path: string;
  /** By extension; files named explicitly with another extension are probed as video. */
  kind: MediaKind;
  /** The folder or pattern it came from, for naming outputs of batches. */
  origin: string;
}

export interface ExpandOptions {
  /** Descend into sub-folders of named folders. */
  recursive?: boolean;
  cwd?: string;
}

async function statOrUndefined(file: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

async function filesInFolder(folder: string, recursive: boolean): Promise<string[]> {
  const matches = await glob(recursive ? '**/*' : '*', { cwd: folder, absolute: true, onlyFiles: true, dot: false });
  return matches.filter((file) => mediaKindOf(file) !== undefined).sort();
}

export async function expandInputs(inputs: readonly string[], options: ExpandOptions = {}): Promise<InputItem[]> {
  if (inputs.length === 0) throw new InvalidArgumentError('No inputs given. Name one or more files, folders or glob patterns.');
  const cwd = options.cwd ?? process.cwd();
  const seen = new Set<string>();
  const items: InputItem[] = [];
  const add = (file: string, origin: string, explicit: boolean): void => {
    const absolute = path.resolve(cwd, file);
    if (seen.has(absolute)) return;
    const kind = mediaKindOf(absolute) ?? (explicit ? 'video' : undefined);
    if (!kind) return;
    seen.add(absolute);
    items.push({ path: absolute, kind, origin });
  };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const info = await statOrUndefined(absolute);
    if (info?.isDirectory()) {
      const files = await filesInFolder(absolute, options.recursive ?? false);
      if (files.length === 0) throw new InvalidArgumentError(`The folder ${absolute} holds no image or video files.`);
      for (const file of files) add(file, absolute, false);
    } else if (info) {
      add(absolute, absolute, true);
    } else if (isDynamicPattern(input)) {
      const matches = (await glob(input, { cwd, absolute: true, onlyFiles: true })).sort();
      const media = matches.filter((file) => mediaKindOf(file) !== undefined);
      if (media.length === 0) throw new InvalidArgumentError(`The pattern "${input}" matches no image or video files.`);
      for (const file of media) add(file, input, false);
    } else {
      throw new InputNotFoundError(absolute);
    }
  }
  return items;
}
