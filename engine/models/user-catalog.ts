// The manifests of the models in the user's store (downloaded, converted or
// imported), kept in <storeDir>/user-catalog.json beside the files. Each
// `file` is relative to the store folder, which is also the resolver's
// user-cache search root, so the ordinary resolver finds and verifies them.
// The merged catalog is the bundled one with these added; a store entry
// replaces a bundled entry of the same id, because installing a model is the
// user's explicit choice (and its converted file has its own hash).
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { describeIssues } from '../../common/zod-issues.ts';
import { modelCatalogSchema, modelManifestSchema, type ModelManifest } from '../../common/model-manifest.ts';
import { Catalog } from './catalog.ts';
import { bundledCatalogPath } from './repo-paths.ts';

export const USER_CATALOG_FILE = 'user-catalog.json';

export function userCatalogPath(storeDir: string): string {
  return path.join(storeDir, USER_CATALOG_FILE);
}

/** The store's manifests; an absent file is an empty store, a broken one an InvalidArgumentError. */
export async function readUserModels(storeDir: string): Promise<ModelManifest[]> {
  const file = userCatalogPath(storeDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`The model store's catalog ${file} is not valid JSON. Delete it and install the models again.`, { cause: error });
  }
  const parsed = modelCatalogSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidArgumentError(`The model store's catalog ${file} is invalid: ${describeIssues(parsed.error)}. Delete it and install the models again.`);
  }
  return parsed.data.models;
}

async function writeUserModels(storeDir: string, models: readonly ModelManifest[]): Promise<void> {
  const file = userCatalogPath(storeDir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, models }, null, 2)}\n`);
  await rename(temporary, file);
}

/** Adds or replaces one manifest (validated first). */
export async function putUserModel(storeDir: string, manifest: ModelManifest): Promise<void> {
  const valid = modelManifestSchema.parse(manifest);
  const models = (await readUserModels(storeDir)).filter((model) => model.id !== valid.id);
  await writeUserModels(storeDir, [...models, valid]);
}

/** Removes one manifest; returns whether it was there. */
export async function deleteUserModel(storeDir: string, id: string): Promise<boolean> {
  const models = await readUserModels(storeDir);
  const kept = models.filter((model) => model.id !== id);
  if (kept.length === models.length) return false;
  await writeUserModels(storeDir, kept);
  return true;
}

/** Bundled manifests with the store's added (a store entry replaces a bundled one of the same id). */
export function mergeModels(bundled: readonly ModelManifest[], user: readonly ModelManifest[]): ModelManifest[] {
  const userIds = new Set(user.map((model) => model.id));
  return [...bundled.filter((model) => !userIds.has(model.id)), ...user];
}

/** The bundled catalog file merged with the store's; the `downloads` section is kept. */
export async function loadCatalogWithStore(storeDir: string, catalogPath: string = bundledCatalogPath): Promise<Catalog> {
  let raw: { models?: unknown; downloads?: unknown } & Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(catalogPath, 'utf8')) as typeof raw;
  } catch (error) {
    throw new InvalidArgumentError(`The model catalog ${catalogPath} cannot be read: ${(error as Error).message}.`, { cause: error });
  }
  const bundled = modelCatalogSchema.safeParse(raw);
  if (!bundled.success) return Catalog.fromJson(raw, catalogPath);
  const user = await readUserModels(storeDir);
  return Catalog.fromJson({ ...raw, models: mergeModels(bundled.data.models, user) }, user.length > 0 ? `${catalogPath} + ${userCatalogPath(storeDir)}` : catalogPath);
}
