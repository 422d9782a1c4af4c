// The ordered folders in which model files are looked for. The caller's own
// list wins, then FRAMESMITH_MODELS, then ../shared/models beside the checkout,
// then the user's model cache. The engine knows no app paths: the cache folder
// is passed in by the CLI or the Electron host.
import { statSync } from 'node:fs';
import path from 'node:path';
import { sharedModelsPath } from './repo-paths.ts';

export type ModelRootSource = 'explicit' | 'env' | 'shared' | 'user-cache';

export interface ModelSearchRoot {
  /** Absolute folder path. */
  path: string;
  source: ModelRootSource;
  /** Whether the folder exists now (missing roots are kept so messages can list them). */
  exists: boolean;
}

export interface ModelSearchPathOptions {
  /** Folders the caller names (a --models flag, a setting), searched first. */
  explicit?: readonly string[];
  /** Environment to read FRAMESMITH_MODELS from; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Leave out ../shared/models (for packaged builds and tests that need a clean path). */
  includeShared?: boolean;
  /** The user's model cache folder, searched last. */
  userCacheDir?: string;
}

function isDirectory(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

/** FRAMESMITH_MODELS split on the platform's delimiter (":" or ";"), empty parts dropped. */
export function splitModelsEnv(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(path.delimiter).map((part) => part.trim()).filter((part) => part.length > 0);
}

/** The search roots in order, each folder once (its first place wins), with whether it exists. */
export function modelSearchPath(options: ModelSearchPathOptions = {}): ModelSearchRoot[] {
  const env = options.env ?? process.env;
  const candidates: { path: string; source: ModelRootSource }[] = [
    ...(options.explicit ?? []).map((folder) => ({ path: folder, source: 'explicit' as const })),
    ...splitModelsEnv(env.FRAMESMITH_MODELS).map((folder) => ({ path: folder, source: 'env' as const })),
    ...(options.includeShared === false ? [] : [{ path: sharedModelsPath, source: 'shared' as const }]),
    ...(options.userCacheDir ? [{ path: options.userCacheDir, source: 'user-cache' as const }] : []),
  ];
  const seen = new Set<string>();
  const roots: ModelSearchRoot[] = [];
  for (const candidate of candidates) {
    const absolute = path.resolve(candidate.path);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    roots.push({ path: absolute, source: candidate.source, exists: isDirectory(absolute) });
  }
  return roots;
}
