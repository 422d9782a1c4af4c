// The public door of the PyTorch importer: checkpoint files (torch.save zip
// or legacy, or safetensors) in, ONNX ModelProto bytes out, no Python and no
// pickle code run. The architecture is recognised from the state dicts' keys
// and shapes (or forced); the result says which, with its task and scale.
import { InvalidArgumentError, throwIfCancelled } from '../../../common/errors.ts';
import type { ModelTask } from '../../../common/model-manifest.ts';
import { microAst } from './arch-microast.ts';
import { rrdbNet } from './arch-rrdbnet.ts';
import { srvggCompact } from './arch-srvgg-compact.ts';
import type { ArchitectureDefinition, NamedStateDict, PytorchArchitecture } from './architecture.ts';
import { PYTORCH_ARCHITECTURES } from './architecture.ts';
import { UnknownArchitectureError } from './pytorch-errors.ts';
import { loadCheckpointBytes, parseStateDict } from './state-dict.ts';
import type { CheckpointFormat } from './state-dict.ts';

export type { PytorchArchitecture } from './architecture.ts';
export { PYTORCH_ARCHITECTURES } from './architecture.ts';
export { readStateDict } from './state-dict.ts';
export type { StateDict, StateTensor, TorchDtype } from './state-tensor.ts';
export { CheckpointFormatError, PickleRefusedError, UnknownArchitectureError } from './pytorch-errors.ts';

/** A checkpoint given as bytes; the name (a file name) helps tell MicroAST's encoders apart. */
export interface NamedCheckpointBytes {
  name: string;
  bytes: Uint8Array;
}

export type CheckpointSource = string | Uint8Array | NamedCheckpointBytes;

export interface PytorchConvertOptions {
  /** Paths or bytes: one file for the SR networks, MicroAST's four files together. */
  files: CheckpointSource | readonly CheckpointSource[];
  architecture?: 'auto' | PytorchArchitecture;
  signal?: AbortSignal;
}

export interface PytorchConvertResult {
  onnx: Uint8Array;
  architecture: PytorchArchitecture;
  scale: number;
  task: ModelTask;
  /** Hyper-parameters read from the weights, for logs and manifests. */
  details: Record<string, number | string>;
  /** The format of each input, in order. */
  formats: CheckpointFormat[];
}

const DEFINITIONS: readonly ArchitectureDefinition[] = [srvggCompact, rrdbNet, microAst];

async function loadSource(source: CheckpointSource, index: number): Promise<{ name: string; bytes: Uint8Array }> {
  if (typeof source === 'string') return { name: source, bytes: await loadCheckpointBytes(source) };
  if (source instanceof Uint8Array) return { name: `file ${index + 1}`, bytes: source };
  return source;
}

/** A short description of the keys, for a user who has to say what the file is. */
function keyHint(dicts: readonly NamedStateDict[]): string {
  const keys = dicts.flatMap((d) => [...d.stateDict.keys()]);
  const roots = [...new Set(keys.map((key) => key.split('.')[0] as string))].slice(0, 8);
  const sample = keys.slice(0, 4).map((key) => {
    const shape = dicts.find((d) => d.stateDict.has(key))?.stateDict.get(key)?.shape ?? [];
    return `${key} [${shape.join(', ')}]`;
  });
  return `The file${dicts.length > 1 ? 's hold' : ' holds'} ${keys.length} tensors under ${roots.join(', ') || 'no names'} (first: ${sample.join('; ') || 'none'}).`;
}

/** Converts checkpoints of a recognised architecture to ONNX (opset 17, float32). */
export async function convertPytorchToOnnx(options: PytorchConvertOptions): Promise<PytorchConvertResult> {
  const sources = Array.isArray(options.files) ? options.files : [options.files as CheckpointSource];
  if (sources.length === 0) throw new InvalidArgumentError('No PyTorch checkpoint given: pass at least one path or bytes.');
  const requested = options.architecture ?? 'auto';
  if (requested !== 'auto' && !PYTORCH_ARCHITECTURES.includes(requested)) {
    throw new InvalidArgumentError(`Unknown architecture "${String(requested)}". Should be one of: auto, ${PYTORCH_ARCHITECTURES.join(', ')}.`);
  }

  const dicts: NamedStateDict[] = [];
  const formats: CheckpointFormat[] = [];
  for (const [index, source] of sources.entries()) {
    throwIfCancelled(options.signal);
    const { name, bytes } = await loadSource(source, index);
    const { format, stateDict } = parseStateDict(bytes);
    dicts.push({ name, stateDict });
    formats.push(format);
  }
  throwIfCancelled(options.signal);

  const candidates = requested === 'auto' ? DEFINITIONS : DEFINITIONS.filter((d) => d.id === requested);
  const definition = candidates.find((d) => d.matches(dicts));
  if (definition === undefined) {
    const reason = requested === 'auto' ? 'The checkpoint does not match a known architecture' : `The checkpoint does not look like ${requested}`;
    throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, keyHint(dicts), reason);
  }
  const built = definition.build(dicts);
  throwIfCancelled(options.signal);
  return { ...built, formats };
}
