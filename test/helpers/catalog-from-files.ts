// Keeps models/catalog.json honest against the real files: the fields that a
// file determines (sha256, size, tensor names, dtypes, ranks, fixed dims) are
// recomputed from it, while what a person decided (ids, roles, symbolic dim
// names, value ranges, licences) is kept. Run from the repository root:
//   node --import tsx test/helpers/catalog-from-files.ts --check [ROOT]
//   node --import tsx test/helpers/catalog-from-files.ts --write [ROOT]
// ROOT defaults to ../shared/models. --check exits 1 and lists every difference.
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelCatalog, ModelManifest, TensorSpec } from '../../common/model-manifest.ts';
import { modelCatalogSchema, tensorDtypeSchema } from '../../common/model-manifest.ts';
import { fileSha256 } from '../../engine/models/file-sha256.ts';
import { compareGraphToManifest } from '../../engine/models/manifest-check.ts';
import { readGraphIo } from '../../engine/onnx/onnx-graph-io.ts';
import type { GraphIo, GraphTensor } from '../../engine/onnx/onnx-graph-io.ts';
import { bundledCatalogPath, sharedModelsPath } from '../../engine/models/repo-paths.ts';

export interface FileFacts {
  sha256: string;
  sizeBytes: number;
  graph: GraphIo;
}

export async function factsFromFile(file: string, options: { signal?: AbortSignal } = {}): Promise<FileFacts> {
  const [sha256, stats, graph] = await Promise.all([fileSha256(file, options), stat(file), readGraphIo(file, options)]);
  return { sha256, sizeBytes: stats.size, graph };
}

function refreshTensor(tensor: GraphTensor, previous: TensorSpec | undefined, fallbackRole: TensorSpec['role']): TensorSpec {
  const dtype = tensorDtypeSchema.safeParse(tensor.elementType);
  if (!dtype.success) throw new Error(`tensor "${tensor.name}" has element type ${tensor.elementType}, which the manifest schema cannot express`);
  const keepShape = previous !== undefined && tensor.shape !== null && previous.shape.length === tensor.shape.length;
  const shape = (tensor.shape ?? previous?.shape ?? []).map((dim, axis) => {
    if (typeof dim === 'number') return dim;
    if (typeof dim === 'string') return dim;
    return keepShape ? previous.shape[axis]! : dim.symbol ?? `dim${axis}`;
  });
  return { name: tensor.name, dtype: dtype.data, shape, role: previous?.role ?? fallbackRole };
}

/** The manifest with every file-determined field taken from `facts`. */
export function refreshManifest(manifest: ModelManifest, facts: FileFacts): ModelManifest {
  const byName = (specs: readonly TensorSpec[]) => new Map(specs.map((spec) => [spec.name, spec]));
  const inputs = byName(manifest.inputs);
  const outputs = byName(manifest.outputs);
  return {
    ...manifest,
    sha256: facts.sha256,
    sizeBytes: facts.sizeBytes,
    inputs: facts.graph.inputs.map((tensor) => refreshTensor(tensor, inputs.get(tensor.name), 'image')),
    outputs: facts.graph.outputs.map((tensor) => refreshTensor(tensor, outputs.get(tensor.name), 'output')),
  };
}

/** Every way the catalog disagrees with the files under `root`, one line each. */
export async function checkCatalogAgainstRoot(catalog: ModelCatalog, root: string): Promise<string[]> {
  const problems: string[] = [];
  for (const manifest of catalog.models) {
    const file = path.join(root, manifest.file);
    let facts: FileFacts;
    try {
      facts = await factsFromFile(file);
    } catch (error) {
      problems.push(`${manifest.id}: ${file} cannot be read (${(error as Error).message})`);
      continue;
    }
    if (facts.sha256 !== manifest.sha256) problems.push(`${manifest.id}: sha256 is ${facts.sha256}, catalog says ${manifest.sha256}`);
    if (facts.sizeBytes !== manifest.sizeBytes) problems.push(`${manifest.id}: size is ${facts.sizeBytes}, catalog says ${manifest.sizeBytes}`);
    for (const problem of compareGraphToManifest(manifest, facts.graph)) problems.push(`${manifest.id}: ${problem}`);
  }
  return problems;
}

/** JSON with arrays of plain values on one line, so shapes and ranges stay readable. */
export function formatCatalog(catalog: ModelCatalog): string {
  const text = JSON.stringify(catalog, null, 2);
  return `${text.replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`)}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const mode = argv.find((arg) => arg === '--check' || arg === '--write');
  const root = argv.find((arg) => !arg.startsWith('--')) ?? sharedModelsPath;
  if (!mode) {
    process.stderr.write('usage: catalog-from-files.ts --check|--write [MODELS_ROOT]\n');
    return 2;
  }
  const catalog = modelCatalogSchema.parse(JSON.parse(await readFile(bundledCatalogPath, 'utf8')));
  if (mode === '--check') {
    const problems = await checkCatalogAgainstRoot(catalog, root);
    for (const problem of problems) process.stdout.write(`${problem}\n`);
    process.stdout.write(problems.length === 0 ? `catalog matches ${root}\n` : `${problems.length} difference(s)\n`);
    return problems.length === 0 ? 0 : 1;
  }
  const models: ModelManifest[] = [];
  for (const manifest of catalog.models) models.push(refreshManifest(manifest, await factsFromFile(path.join(root, manifest.file))));
  await writeFile(bundledCatalogPath, formatCatalog({ ...catalog, models }));
  process.stdout.write(`wrote ${bundledCatalogPath} from ${root}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
