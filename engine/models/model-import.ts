// Imports a model file the user has: ONNX as is, ncnn `.param` (text or
// binary) with the `.bin` beside it, PyTorch checkpoints through the PyTorch
// converter. The imported model gets a manifest (task from the graph's inputs
// or the caller; padding multiple and scale measured by running it, see
// model-facts.ts), passes a trial run and is then usable by id everywhere,
// like a downloaded one. An import
// never takes the id of a catalog model (built-in presets name those, so an
// import must not change what they run) and takes the id of an installed
// model only with `replace`. A refused or failed import leaves no folder.
import { access, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputNotFoundError, InvalidArgumentError, ModelManifestMismatchError, throwIfCancelled } from '../../common/errors.ts';
import { expectPositiveInteger } from '../../common/validation.ts';
import { MODEL_TASKS, type ModelFormat, type ModelTask } from '../../common/model-manifest.ts';
import { convertNcnnToOnnx, inspectNcnnModel, type NcnnNamePreset } from '../convert/ncnn-to-onnx.ts';
import { withFacts } from './model-facts.ts';
import { Catalog } from './catalog.ts';
import { readGraphIo } from '../onnx/onnx-graph-io.ts';
import { readUserModels } from './user-catalog.ts';
import { convertPytorchToOnnx } from '../convert/pytorch/pytorch-to-onnx.ts';
import type { EnsuredModel, InstallDescription, ModelStore } from './model-store.ts';

export interface ImportOptions {
  /** Id to install under; default from the file name. */
  id?: string;
  /** Needed where the graph does not tell (one image input, output as large as the input). */
  task?: ModelTask;
  /** Expected scale; checked against the measured one. */
  scale?: number;
  displayName?: string;
  licence?: string;
  /** Replace an imported or downloaded model of the same id (never a catalog model). */
  replace?: boolean;
  signal?: AbortSignal;
}

/** Longest model id: it names a folder and a file in the store. */
export const MAX_MODEL_ID_LENGTH = 64;

const PYTORCH_EXTENSIONS = ['.pth', '.pt', '.ckpt', '.safetensors', '.pth.tar', '.bin.pt'];

export function detectImportFormat(file: string): ModelFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.param') || lower.endsWith('.param.bin')) return 'ncnn';
  if (PYTORCH_EXTENSIONS.some((extension) => lower.endsWith(extension))) return 'pytorch';
  throw new InvalidArgumentError(`Cannot tell the format of ${file}. Expected a .onnx file, an ncnn .param (with its .bin beside it) or a PyTorch checkpoint (.pth, .pt, .ckpt, .safetensors).`);
}

/** A model id from a file name: lower-case letters, digits, ".", "_" and "-". */
export function idFromFileName(file: string): string {
  const base = path.basename(file).replace(/(\.param\.bin|\.param|\.onnx|\.pth\.tar|\.pth|\.pt|\.ckpt|\.safetensors)$/i, '');
  const id = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return id || 'imported-model';
}

/** The weights file of an ncnn param: x.param -> x.bin, x.param.bin -> x.bin. */
export function ncnnBinBeside(paramPath: string): string {
  return paramPath.replace(/\.param(\.bin)?$/i, '.bin');
}

async function mustExist(file: string): Promise<void> {
  try {
    if (!(await stat(file)).isFile()) throw new InvalidArgumentError(`${file} is not a file.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputNotFoundError(file, { cause: error });
    throw error;
  }
}

function presetForTask(task: ModelTask | undefined): NcnnNamePreset | undefined {
  if (task === 'super-resolution') return 'super-resolution';
  if (task === 'interpolation') return 'interpolation';
  if (task === 'style-fast') return 'style';
  return undefined;
}

function taskFromInputs(names: readonly string[]): ModelTask | undefined {
  if (names.includes('img0') && names.includes('img1')) return 'interpolation';
  if (names.includes('content') && names.includes('style')) return 'style-arbitrary';
  if (names.includes('input1')) return 'style-fast';
  return undefined;
}

export async function importModel(store: ModelStore, sourcePath: string, options: ImportOptions = {}): Promise<EnsuredModel> {
  const source = path.resolve(sourcePath);
  await mustExist(source);
  if (options.task !== undefined && !(MODEL_TASKS as readonly string[]).includes(options.task)) {
    throw new InvalidArgumentError(`Unknown task "${options.task}". Should be one of: ${MODEL_TASKS.join(', ')}.`);
  }
  if (options.scale !== undefined) expectPositiveInteger('scale', options.scale);
  const format = detectImportFormat(source);
  const id = options.id ?? idFromFileName(source).slice(0, MAX_MODEL_ID_LENGTH);
  if (id.length > MAX_MODEL_ID_LENGTH || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) {
    throw new InvalidArgumentError(`Invalid model id "${id.slice(0, 80)}${id.length > 80 ? '...' : ''}": use 1 to ${MAX_MODEL_ID_LENGTH} lower-case letters, digits, ".", "_" and "-", starting with a letter or digit.`);
  }
  await assertIdFree(store, id, options.replace ?? false);
  if (format === 'onnx') await readGraphIo(source, options);

  let bytes: Uint8Array;
  let ncnnPreset: NcnnNamePreset | undefined;
  if (format === 'onnx') {
    bytes = await readFile(source);
  } else if (format === 'ncnn') {
    const binPath = ncnnBinBeside(source);
    await mustExist(binPath);
    const info = await inspectNcnnModel({ paramPath: source });
    ncnnPreset = presetForTask(options.task) ?? info.preset;
    bytes = await convertNcnnToOnnx({ paramPath: source, binPath, preset: ncnnPreset, signal: options.signal });
  } else {
    bytes = (await convertPytorchToOnnx({ files: [source], signal: options.signal })).onnx;
  }
  throwIfCancelled(options.signal);

  const onnxPath = store.installedPath(id);
  const temporary = `${onnxPath}.partial`;
  const folder = path.dirname(onnxPath);
  const folderIsNew = !(await access(folder).then(() => true, () => false));
  await mkdir(folder, { recursive: true });
  let imported = false;
  try {
    await writeFile(temporary, bytes);
    const graph = await readGraphIo(temporary, options);
    const task = options.task ?? taskFromInputs(graph.inputs.map((input) => input.name)) ?? (ncnnPreset === 'style' ? 'style-fast' : undefined);
    const styleRange = task === 'style-fast' && (ncnnPreset === 'style' || graph.inputs.some((input) => input.name === 'input1'));
    const description: InstallDescription = {
      id,
      task: task ?? 'super-resolution',
      displayName: options.displayName ?? `${path.basename(source)} (imported)`,
      description: `Imported from ${source}.`,
      scale: 1,
      licence: options.licence ?? 'unknown (imported by the user)',
      format,
      valueRange: styleRange ? [0, 255] : [0, 1],
      padMultiple: task === 'interpolation' ? 32 : task === 'style-fast' ? 4 : 1,
      clampOutput: true,
      tileable: task === 'super-resolution' || task === undefined,
    };
    const origin = { kind: 'import' as const, from: source };
    const probe = await store.measure(await store.describeInstalled(description, temporary, origin), temporary, 'default', options);
    const trial = await store.trial({ manifest: probe, path: temporary }, options);
    if (options.scale !== undefined && trial.scale !== options.scale) {
      throw new ModelManifestMismatchError(id, `its output is ${trial.scale}x its input, but a scale of ${options.scale} was given`, {
        hint: { field: 'scale', action: 'change-scale' },
      });
    }
    if (task === undefined && trial.scale === 1) {
      throw new InvalidArgumentError(`Cannot tell the task of ${source}: its output is as large as its input. Give its task (one of: ${MODEL_TASKS.join(', ')}).`, {
        hint: { field: 'task', action: 'choose-task' },
      });
    }
    if (task === 'super-resolution' || task === undefined) description.scale = trial.scale;
    if (description.task !== 'super-resolution' && trial.scale !== 1) {
      throw new ModelManifestMismatchError(id, `a ${description.task} model must keep the size, but its output is ${trial.scale}x its input`);
    }
    await rename(temporary, onnxPath);
    const manifest = withFacts(await store.describeInstalled(description, onnxPath, origin), probe.facts!);
    await store.register(manifest);
    imported = true;
    return { manifest, path: onnxPath, origin: 'store' };
  } finally {
    await rm(temporary, { force: true });
    if (!imported && folderIsNew) await rm(folder, { recursive: true, force: true });
  }
}

/** Refuses a catalog model's id always, and an installed model's id without `replace`. */
async function assertIdFree(store: ModelStore, id: string, replace: boolean): Promise<void> {
  const catalog = await Catalog.load();
  if (catalog.has(id) || store.download(id) !== undefined) {
    throw new InvalidArgumentError(`"${id}" is the id of a catalog model; an import cannot take it (built-in presets run that model). Choose another id.`, { hint: { field: 'id', action: 'choose-id' } });
  }
  if (!replace && (await readUserModels(store.storeDir)).some((model) => model.id === id)) {
    throw new InvalidArgumentError(`A model with the id "${id}" is already installed. Choose another id, or replace the installed model.`, { hint: { field: 'id', action: 'choose-id' } });
  }
}
