// Where the checkout is, found from this file's own URL rather than the
// working directory, so the CLI finds its catalog and ../shared from anywhere.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above engine/models). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The catalog shipped with the code. */
export const bundledCatalogPath = path.join(repoRoot, 'models', 'catalog.json');

/** The shared models folder beside the checkout (present on development and CI machines). */
export const sharedModelsPath = path.join(repoRoot, '..', 'shared', 'models');
