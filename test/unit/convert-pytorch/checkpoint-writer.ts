// Writes checkpoints byte by byte from the format descriptions (no Python, no
// PyTorch here): pickle opcodes as torch.save emits them for a state dict,
// the zip layout (archive/data.pkl + archive/data/<key>), the legacy stream
// (magic, protocol, sys info, main pickle, storage keys, raw storages) and
// safetensors. Tests use it to round-trip state dicts through the reader.
import { zipSync } from 'fflate';

export type WriterDtype = 'float32' | 'float16' | 'bfloat16' | 'int64';

export interface WriterTensor {
  dtype: WriterDtype;
  shape: number[];
  /** Values in row-major order of `shape` (for a strided tensor, of the logical view). */
  values: number[] | Float32Array;
  /** Store the transpose of a 2-D tensor and describe it with swapped strides. */
  transposed?: boolean;
}

const STORAGE_NAME: Record<WriterDtype, string> = { float32: 'FloatStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage', int64: 'LongStorage' };
const SAFETENSORS_NAME: Record<WriterDtype, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64' };
const ELEMENT_BYTES: Record<WriterDtype, number> = { float32: 4, float16: 2, bfloat16: 2, int64: 8 };

function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign | Math.round((mantissa | 0x800000) / 2 ** (14 - exponent));
  if (exponent >= 31) return sign | 0x7c00;
  const rounded = (exponent << 10) + Math.round(mantissa / 8192);
  return sign | rounded;
}

/** The storage bytes of a tensor (the transposed layout when asked). */
export function storageBytes(tensor: WriterTensor): Uint8Array {
  const values = Array.from(tensor.values);
  let stored = values;
  if (tensor.transposed === true) {
    const [rows, cols] = tensor.shape as [number, number];
    stored = Array.from({ length: rows * cols }, (_, k) => values[(k % rows) * cols + Math.floor(k / rows)] as number);
  }
  const bytes = new Uint8Array(stored.length * ELEMENT_BYTES[tensor.dtype]);
  const view = new DataView(bytes.buffer);
  stored.forEach((value, i) => {
    switch (tensor.dtype) {
      case 'float32': view.setFloat32(i * 4, value, true); break;
      case 'float16': view.setUint16(i * 2, floatToHalf(value), true); break;
      case 'bfloat16': view.setUint16(i * 2, new Uint32Array(new Float32Array([value]).buffer)[0] as number >>> 16, true); break;
      case 'int64': view.setBigInt64(i * 8, BigInt(value), true); break;
    }
  });
  return bytes;
}

export class PickleWriter {
  private readonly parts: number[] = [];

  raw(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }

  text(value: string): this {
    for (const byte of new TextEncoder().encode(value)) this.parts.push(byte);
    return this;
  }

  proto(version: number): this { return this.raw(0x80, version); }
  stop(): this { return this.raw(0x2e); }
  mark(): this { return this.raw(0x28); }
  tuple(): this { return this.raw(0x74); }
  emptyTuple(): this { return this.raw(0x29); }
  emptyDict(): this { return this.raw(0x7d); }
  emptyList(): this { return this.raw(0x5d); }
  none(): this { return this.raw(0x4e); }
  bool(value: boolean): this { return this.raw(value ? 0x88 : 0x89); }
  reduce(): this { return this.raw(0x52); }
  build(): this { return this.raw(0x62); }
  setItems(): this { return this.raw(0x75); }
  appends(): this { return this.raw(0x65); }
  binPersId(): this { return this.raw(0x51); }
  binPut(slot: number): this { return this.raw(0x71, slot); }
  binGet(slot: number): this { return this.raw(0x68, slot); }
  global(module: string, name: string): this { return this.raw(0x63).text(`${module}\n${name}\n`); }
  stackGlobal(module: string, name: string): this { return this.str(module).str(name).raw(0x93); }

  str(value: string): this {
    const bytes = new TextEncoder().encode(value);
    if (bytes.length < 256) return this.raw(0x8c, bytes.length, ...bytes);
    const length = new Uint8Array(new Uint32Array([bytes.length]).buffer);
    return this.raw(0x58, ...length, ...bytes);
  }

  int(value: number): this {
    if (value >= 0 && value < 256) return this.raw(0x4b, value);
    if (value >= 0 && value < 65536) return this.raw(0x4d, value & 0xff, value >> 8);
    return this.raw(0x4a, ...new Uint8Array(new Int32Array([value]).buffer));
  }

  long1(value: bigint): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0n) { bytes.push(Number(rest & 0xffn)); rest >>= 8n; }
    if (((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) bytes.push(0);
    return this.raw(0x8a, bytes.length, ...bytes);
  }

  intTuple(values: readonly number[]): this {
    this.mark();
    for (const value of values) this.int(value);
    return this.tuple();
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export interface StateDictLayout {
  /** Nest the dict under this key (params_ema ...). */
  wrapper?: string;
  /** Emit the pickle as the legacy format does (persistent ids with view metadata). */
  legacy?: boolean;
  /** Give the OrderedDict a _metadata attribute via BUILD, as state_dict() does. */
  metadata?: boolean;
}

/** The main pickle of torch.save(state_dict): storages are keyed "0", "1", ... */
export function stateDictPickle(tensors: ReadonlyMap<string, WriterTensor>, layout: StateDictLayout = {}): Uint8Array {
  const w = new PickleWriter().proto(2);
  if (layout.wrapper !== undefined) w.emptyDict().mark().str(layout.wrapper);
  w.global('collections', 'OrderedDict').binPut(0).emptyTuple().reduce().mark();
  let key = 0;
  for (const [name, tensor] of tensors) {
    const strides = tensor.shape.map((_, axis) => tensor.shape.slice(axis + 1).reduce((p, d) => p * d, 1));
    const stride = tensor.transposed === true ? [1, tensor.shape[0] as number] : strides;
    const count = tensor.shape.reduce((p, d) => p * d, 1);
    w.str(name).global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().str('storage').global('torch', STORAGE_NAME[tensor.dtype]).str(String(key)).str('cpu').int(count);
    if (layout.legacy === true) w.none();
    w.tuple().binPersId();
    w.int(0).intTuple(tensor.shape).intTuple(stride).bool(false).binGet(0).emptyTuple().reduce();
    w.tuple().reduce();
    key += 1;
  }
  w.setItems();
  if (layout.metadata === true) {
    w.mark().str('_metadata').binGet(0).emptyTuple().reduce().mark().str('').emptyDict().mark().str('version').int(1).setItems().setItems().raw(0x64).build();
  }
  if (layout.wrapper !== undefined) w.setItems();
  return w.stop().bytes();
}

/** torch >= 1.6 zip layout (stored, no compression, like torch.save). */
export function torchZip(tensors: ReadonlyMap<string, WriterTensor>, layout: StateDictLayout = {}, archive = 'archive'): Uint8Array {
  const files: Record<string, Uint8Array> = {
    [`${archive}/data.pkl`]: stateDictPickle(tensors, layout),
    [`${archive}/byteorder`]: new TextEncoder().encode('little'),
    [`${archive}/version`]: new TextEncoder().encode('3\n'),
  };
  [...tensors.values()].forEach((tensor, key) => { files[`${archive}/data/${key}`] = storageBytes(tensor); });
  return zipSync(files, { level: 0 });
}

/** The legacy torch.save stream. */
export function torchLegacy(tensors: ReadonlyMap<string, WriterTensor>, layout: StateDictLayout = {}): Uint8Array {
  const magic = new PickleWriter().proto(2).long1(0x1950a86a20f9469cfc6cn).stop().bytes();
  const protocol = new PickleWriter().proto(2).int(1001).stop().bytes();
  const sysInfo = new PickleWriter().proto(2).emptyDict().mark()
    .str('protocol_version').int(1001).str('little_endian').bool(true)
    .str('type_sizes').emptyDict().mark().str('short').int(2).str('int').int(4).str('long').int(4).setItems()
    .setItems().stop().bytes();
  const main = stateDictPickle(tensors, { ...layout, legacy: true });
  const keys = new PickleWriter().proto(2).emptyList().mark();
  [...tensors.keys()].forEach((_, key) => keys.str(String(key)));
  const keyList = keys.appends().stop().bytes();
  const storages = [...tensors.values()].flatMap((tensor) => {
    const count = new Uint8Array(new BigInt64Array([BigInt(tensor.shape.reduce((p, d) => p * d, 1))]).buffer);
    return [count, storageBytes(tensor)];
  });
  const chunks = [magic, protocol, sysInfo, main, keyList, ...storages];
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) { out.set(chunk, offset); offset += chunk.length; }
  return out;
}

export function safetensors(tensors: ReadonlyMap<string, WriterTensor>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const bytes = storageBytes({ ...tensor, transposed: false });
    header[name] = { dtype: SAFETENSORS_NAME[tensor.dtype], shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const blob of blobs) { out.set(blob, at); at += blob.length; }
  return out;
}
