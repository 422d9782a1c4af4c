// Reads torch.save files without running their pickles: the zip format
// (torch >= 1.6: <dir>/data.pkl + <dir>/data/<key>) and the legacy one
// (magic pickle, protocol pickle, sys-info pickle, the main pickle, the list of
// storage keys, then each storage as an int64 element count and its bytes).
// Only the globals of the tensor-rebuild path resolve; everything else is
// refused by name before anything could be called.
import { TensorBudget, unzipCheckpoint } from './checkpoint-bounds.ts';
import { PickleCallable, unpickle } from './pickle-vm.ts';
import type { PickleBuildable, PickleNamed } from './pickle-vm.ts';
import { CheckpointFormatError, PickleRefusedError } from './pytorch-errors.ts';
import { ELEMENT_SIZE, tensorFromStorage } from './state-tensor.ts';
import type { StateTensor, TorchDtype } from './state-tensor.ts';

const STORAGE_TYPES: Readonly<Record<string, TorchDtype>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** A storage type named in a persistent id (torch.FloatStorage ...). */
class StorageType implements PickleNamed {
  constructor(readonly pickleName: string, readonly dtype: TorchDtype) {}
}

/** A Python class the allowed functions take as an argument (torch.Tensor, Parameter). */
class TensorClass implements PickleNamed {
  constructor(readonly pickleName: string) {}
}

/** Storage bytes, known at once (zip) or filled in after the main pickle (legacy). */
class LazyStorage {
  bytes: Uint8Array | undefined;
  constructor(readonly key: string, readonly dtype: TorchDtype, readonly parent?: { storage: LazyStorage; elementOffset: number; elements: number }) {}

  resolve(): Uint8Array {
    if (this.parent !== undefined) {
      const whole = this.parent.storage.resolve();
      const size = ELEMENT_SIZE[this.dtype];
      const start = this.parent.elementOffset * size;
      const end = start + this.parent.elements * size;
      if (end > whole.length) throw new CheckpointFormatError(`storage view ${this.key} reaches past its storage`);
      return whole.subarray(start, end);
    }
    if (this.bytes === undefined) throw new CheckpointFormatError(`storage ${this.key} is referenced but its data is missing`);
    return this.bytes;
  }
}

/** A tensor whose storage may not be read yet; materialized after loading. */
export class PendingTensor implements PickleBuildable {
  constructor(
    private readonly storage: LazyStorage,
    private readonly offset: number,
    private readonly shape: number[],
    private readonly stride: number[],
  ) {}

  /** Tensors with Python attributes carry them as state; weights need none. */
  setPickleState(): void {}

  materialize(name: string, budget: TensorBudget): StateTensor {
    const elements = this.shape.reduce((product, dim) => product * Math.max(0, dim), 1);
    const storageElements = Math.floor(this.storage.resolve().length / ELEMENT_SIZE[this.storage.dtype]);
    if (elements > storageElements) {
      throw new CheckpointFormatError(`tensor ${name} has ${elements} elements but its storage only ${storageElements} (an expanded view, not a weight)`);
    }
    budget.take(elements * 8, name);
    return tensorFromStorage(this.storage.resolve(), this.storage.dtype, this.offset, this.shape, this.stride, name);
  }
}

function intList(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) throw new CheckpointFormatError(`${what} is not a list of integers`);
  return value as number[];
}

function rebuildTensor(args: readonly unknown[]): PendingTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof LazyStorage)) throw new CheckpointFormatError('_rebuild_tensor got no storage');
  if (typeof offset !== 'number') throw new CheckpointFormatError('_rebuild_tensor got no storage offset');
  return new PendingTensor(storage, offset, intList(size, 'a tensor size'), intList(stride, 'a tensor stride'));
}

function orderedDict(args: readonly unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  const items = args[0];
  if (Array.isArray(items)) {
    for (const pair of items) {
      if (Array.isArray(pair) && pair.length === 2) map.set(pair[0], pair[1]);
    }
  }
  return map;
}

function firstTensor(args: readonly unknown[], what: string): PendingTensor {
  const data = args[0];
  if (!(data instanceof PendingTensor)) throw new CheckpointFormatError(`${what} got no tensor`);
  return data;
}

const ALLOWED_FUNCTIONS: ReadonlyMap<string, (args: readonly unknown[]) => unknown> = new Map<string, (args: readonly unknown[]) => unknown>([
  ['collections.OrderedDict', orderedDict],
  ['torch._utils._rebuild_tensor_v2', rebuildTensor],
  ['torch._utils._rebuild_tensor', rebuildTensor],
  ['torch._utils._rebuild_parameter', (args) => firstTensor(args, '_rebuild_parameter')],
  ['torch._utils._rebuild_parameter_with_state', (args) => firstTensor(args, '_rebuild_parameter_with_state')],
  ['torch._tensor._rebuild_from_type_v2', (args) => {
    const [func, type, inner] = args;
    if (!(func instanceof PickleCallable) || !(type instanceof TensorClass) || !Array.isArray(inner)) {
      throw new PickleRefusedError('torch._tensor._rebuild_from_type_v2', 'with arguments other than an allowed rebuild function and a tensor class');
    }
    return func.invoke(inner);
  }],
  ['torch.Size', (args) => intList(args[0], 'torch.Size')],
]);

const TENSOR_CLASSES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/** The resolver for checkpoint pickles: the tensor-rebuild path and nothing else. */
export function resolveTorchGlobal(module: string, name: string): unknown {
  const qualified = `${module}.${name}`;
  const fn = ALLOWED_FUNCTIONS.get(qualified);
  if (fn !== undefined) return new PickleCallable(qualified, fn);
  if (module === 'torch' && name in STORAGE_TYPES) return new StorageType(qualified, STORAGE_TYPES[name] as TorchDtype);
  if (TENSOR_CLASSES.has(qualified)) return new TensorClass(qualified);
  throw new PickleRefusedError(qualified, 'a global outside the tensor-rebuild allow-list');
}

function storageTypeOf(value: unknown): TorchDtype {
  if (!(value instanceof StorageType)) throw new CheckpointFormatError('a storage id names no storage type');
  return value.dtype;
}

/** Replaces every PendingTensor in a loaded object tree by its dense tensor, within the budget. */
function materialize(value: unknown, path: string, budget: TensorBudget): unknown {
  if (value instanceof PendingTensor) return value.materialize(path || 'tensor', budget);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [key, item] of value) out.set(key, materialize(item, path ? `${path}.${String(key)}` : String(key), budget));
    return out;
  }
  if (Array.isArray(value)) return value.map((item, i) => materialize(item, `${path}[${i}]`, budget));
  return value;
}

export function isZipCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Reads a torch >= 1.6 zip checkpoint into a plain object tree with StateTensors. */
export function readTorchZip(bytes: Uint8Array): unknown {
  // Only what a checkpoint reads: the pickle, its byte order and its storages.
  const entries = unzipCheckpoint(bytes, (name) => name.endsWith('data.pkl') || name.endsWith('byteorder') || name.includes('/data/') || name.startsWith('data/'));
  const pickleName = Object.keys(entries).find((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  if (pickleName === undefined) throw new CheckpointFormatError('the zip archive has no data.pkl');
  const prefix = pickleName.slice(0, pickleName.length - 'data.pkl'.length);
  const byteorder = entries[`${prefix}byteorder`];
  if (byteorder !== undefined && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new CheckpointFormatError('the checkpoint was saved big-endian, which is not supported');
  }
  const storages = new Map<string, LazyStorage>();
  const persistentLoad = (pid: unknown): LazyStorage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new PickleRefusedError(`persistent id ${JSON.stringify(Array.isArray(pid) ? pid[0] : pid)}`, 'only storages may be referenced');
    const dtype = storageTypeOf(pid[1]);
    const key = String(pid[2]);
    let storage = storages.get(key);
    if (storage === undefined) {
      storage = new LazyStorage(key, dtype);
      const data = entries[`${prefix}data/${key}`];
      if (data === undefined) throw new CheckpointFormatError(`storage data/${key} is missing from the archive`);
      storage.bytes = data;
      storages.set(key, storage);
    }
    return storage;
  };
  const { value } = unpickle(entries[pickleName] as Uint8Array, 0, { resolveGlobal: resolveTorchGlobal, persistentLoad });
  return materialize(value, '', new TensorBudget(bytes.length));
}

/** True when the bytes start with the legacy magic-number pickle. */
export function isLegacyCheckpoint(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x80) return false;
  try {
    const { value } = unpickle(bytes, 0, { resolveGlobal: resolveTorchGlobal });
    return value === LEGACY_MAGIC;
  } catch {
    return false;
  }
}

/** Reads a legacy (pre-1.6, or _use_new_zipfile_serialization=False) checkpoint. */
export function readTorchLegacy(bytes: Uint8Array): unknown {
  const plain = { resolveGlobal: resolveTorchGlobal };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) throw new CheckpointFormatError('the legacy magic number is missing');
  const protocol = unpickle(bytes, magic.end, plain);
  if (protocol.value !== LEGACY_PROTOCOL) throw new CheckpointFormatError(`legacy protocol ${String(protocol.value)} is not ${LEGACY_PROTOCOL}`);
  const sysInfo = unpickle(bytes, protocol.end, plain);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new CheckpointFormatError('the checkpoint was saved big-endian, which is not supported');
  }

  const storages = new Map<string, LazyStorage>();
  const persistentLoad = (pid: unknown): LazyStorage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new PickleRefusedError(`persistent id ${JSON.stringify(Array.isArray(pid) ? pid[0] : pid)}`, 'only storages may be referenced');
    const [, type, rootKey, , , view] = pid as unknown[];
    const dtype = storageTypeOf(type);
    const key = String(rootKey);
    let root = storages.get(key);
    if (root === undefined) {
      root = new LazyStorage(key, dtype);
      storages.set(key, root);
    }
    if (Array.isArray(view)) {
      const [viewKey, viewOffset, viewSize] = view as unknown[];
      if (typeof viewOffset !== 'number' || typeof viewSize !== 'number') throw new CheckpointFormatError('a storage view has no offset or size');
      return new LazyStorage(String(viewKey), dtype, { storage: root, elementOffset: viewOffset, elements: viewSize });
    }
    return root;
  };
  const main = unpickle(bytes, sysInfo.end, { resolveGlobal: resolveTorchGlobal, persistentLoad });
  const keys = unpickle(bytes, main.end, plain);
  if (!Array.isArray(keys.value)) throw new CheckpointFormatError('the legacy storage key list is missing');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = keys.end;
  for (const rawKey of keys.value) {
    const key = String(rawKey);
    const storage = storages.get(key);
    if (storage === undefined) throw new CheckpointFormatError(`storage ${key} is listed but never referenced`);
    if (offset + 8 > bytes.length) throw new CheckpointFormatError(`the file ends before storage ${key} (truncated?)`);
    const count = view.getBigInt64(offset, true);
    const length = Number(count) * ELEMENT_SIZE[storage.dtype];
    offset += 8;
    if (count < 0n || offset + length > bytes.length) throw new CheckpointFormatError(`storage ${key} needs ${length} bytes but the file ends first (truncated?)`);
    storage.bytes = bytes.subarray(offset, offset + length);
    offset += length;
  }
  return materialize(main.value, '', new TensorBudget(bytes.length));
}
