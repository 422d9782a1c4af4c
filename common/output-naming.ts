// Output file names from a template such as "{name}-{preset}{ext}". Pure
// string work so the CLI and the UI name files the same way. A template is
// user input (settings, job requests): whatever it holds, the result is one
// plain file name in the chosen folder or a typed INVALID_ARGUMENT.
import { InvalidArgumentError } from './errors.ts';

export const MEDIA_EXTENSIONS = {
  image: ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.bmp'],
  video: ['.mp4', '.mkv', '.mov', '.webm', '.avi', '.m4v', '.mpg', '.mpeg', '.ts', '.m2ts', '.wmv', '.flv', '.gif', '.y4m'],
} as const;

export type MediaKind = 'image' | 'video';

/** The extension of a file name, lower-case with its dot ("" when none). */
export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** The file name without folder and extension. */
export function stemOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Image or video by extension; undefined for names that are neither. */
export function mediaKindOf(fileName: string): MediaKind | undefined {
  const extension = extensionOf(fileName);
  if ((MEDIA_EXTENSIONS.image as readonly string[]).includes(extension)) return 'image';
  if ((MEDIA_EXTENSIONS.video as readonly string[]).includes(extension)) return 'video';
  return undefined;
}

export interface NamingFields {
  /** Input file name without extension. */
  name: string;
  /** Output extension with its dot, or "" for a folder (PNG sequences). */
  ext: string;
  /** Short label of what was done, e.g. "upscaled-x4". */
  preset: string;
}

const FIELD_PATTERN = /\{(name|ext|preset)\}/g;

/** Fills a template; unknown fields are refused so typos do not become file names. */
export function applyNameTemplate(template: string, fields: NamingFields): string {
  const unknown = /\{(?!name\}|ext\}|preset\})[^}]*\}/.exec(template);
  if (unknown) {
    throw new InvalidArgumentError(`Unknown field ${unknown[0]} in the name template "${template}". Use {name}, {preset} and {ext}.`);
  }
  const name = template.replace(FIELD_PATTERN, (_, field: keyof NamingFields) => fields[field]);
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name === '.' || name === '..' || /[\\/\u0000-\u001f]/.test(name)) {
    throw new InvalidArgumentError(`The name template "${template}" must give a plain file name (no folders, "..", or control characters); it gave "${name}". Use fields such as {name}-{preset}{ext}.`);
  }
  return name;
}

export const DEFAULT_NAME_TEMPLATE = '{name}-{preset}{ext}';
