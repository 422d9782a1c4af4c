// Serving the built UI, decided once for both hosts: Electron's app protocol
// (electron/main.ts) and `framesmith serve` (cli/web-server.ts). Given the UI
// folder and a URL path, it answers which file to send, or why none: a path
// that would leave the folder (403), a missing asset (404), a client-side
// route (the app's index.html), or a UI that was never built (503 with the
// command that builds it). The hosts only turn the answer into their own
// response type. Pure logic: file-system access comes in through UiFiles,
// because common/ runs anywhere and has no Node modules.
import { mimeTypeOf, safeRelativeSegments } from './static-path.ts';

export interface UiFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/** What a host gives the resolver: its own path joining and file checks. */
export interface UiFiles {
  /** The file `segments` (already checked, no "..") name inside `root`. */
  join(root: string, segments: readonly string[]): string;
  /** undefined when the file does not exist or cannot be read. */
  stat(file: string): Promise<UiFileInfo | undefined>;
  /** Whether `file`, links resolved, still lies inside `root` (links resolved too). */
  inside(root: string, file: string): Promise<boolean>;
}

export type UiAnswer =
  | { kind: 'file'; file: string; size: number; contentType: string; isPage: boolean }
  | { kind: 'not-built'; status: 503; message: string }
  | { kind: 'not-found'; status: 404; message: string }
  | { kind: 'forbidden'; status: 403; message: string };

export const UI_BUILD_COMMAND = 'npm run build:renderer';

function notBuilt(indexFile: string): UiAnswer {
  return { kind: 'not-built', status: 503, message: `The UI is not built (no ${indexFile}). Run "${UI_BUILD_COMMAND}" in the Framesmith folder, then reload.` };
}

const FORBIDDEN: UiAnswer = { kind: 'forbidden', status: 403, message: 'Forbidden path.' };
const NOT_FOUND: UiAnswer = { kind: 'not-found', status: 404, message: 'Not found.' };

function hasExtension(segments: readonly string[]): boolean {
  const last = segments[segments.length - 1];
  return last !== undefined && last.includes('.');
}

/**
 * The answer for one GET of `urlPath` (its pathname, still percent-encoded)
 * against the UI folder `root`. Never throws for any path: a host can call
 * it with whatever a request carried.
 */
export async function resolveUiRequest(root: string, urlPath: string, files: UiFiles): Promise<UiAnswer> {
  const segments = safeRelativeSegments(urlPath);
  if (segments === undefined) return FORBIDDEN;
  const index = files.join(root, ['index.html']);
  let file = files.join(root, segments);
  let info = await files.stat(file);
  if (info?.isDirectory) {
    file = files.join(root, [...segments, 'index.html']);
    info = await files.stat(file);
  }
  if (!info && !hasExtension(segments)) {
    // A client-side route (/queue, /settings): the app's page handles it.
    file = index;
    info = await files.stat(file);
  }
  if (!info?.isFile) {
    if (file === index || (await files.stat(index)) === undefined) return notBuilt(index);
    return NOT_FOUND;
  }
  if (!(await files.inside(root, file))) return FORBIDDEN;
  const contentType = mimeTypeOf(file);
  return { kind: 'file', file, size: info.size, contentType, isPage: contentType.startsWith('text/html') };
}

/** The parts of Node's fs/promises and path that uiFilesOver uses (common/ has no Node types). */
export interface UiFsModule {
  stat(file: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  realpath(file: string): Promise<string>;
}
export interface UiPathModule {
  join(...parts: string[]): string;
  relative(from: string, to: string): string;
  isAbsolute(file: string): boolean;
}

/** UiFiles over Node's fs and path, as both hosts use it: `uiFilesOver(await import('node:fs/promises'), path)`. */
export function uiFilesOver(fs: UiFsModule, path: UiPathModule): UiFiles {
  return {
    join: (root, segments) => path.join(root, ...segments),
    stat: async (file) => {
      try {
        const info = await fs.stat(file);
        return { isFile: info.isFile(), isDirectory: info.isDirectory(), size: info.size };
      } catch {
        return undefined;
      }
    },
    inside: async (root, file) => {
      try {
        const relative = path.relative(await fs.realpath(root), await fs.realpath(file));
        return !relative.startsWith('..') && !path.isAbsolute(relative);
      } catch {
        return false;
      }
    },
  };
}
