// Parses an ncnn `.param` graph, text (magic 7767517 on the first line) or
// binary (`.param.bin`: the same magic as a little-endian int32), into one
// layer list. Binary params carry no names and store every value as raw 32
// bits; whether a value is an int or a float is decided by the reader, as in
// ncnn's ParamDict, so values keep both views.
import { InvalidArgumentError } from '../../common/errors.ts';
import { ncnnLayerTypeName } from './ncnn-layer-types.ts';

export const NCNN_MAGIC = 7767517;

/** One param value: text params know their kind, binary ones only their bits. */
export interface NcnnScalar {
  readonly bits: number;
  readonly isFloat: boolean | undefined;
  readonly number: number;
}

export type NcnnParamValue = { readonly scalar: NcnnScalar } | { readonly array: readonly NcnnScalar[] };

export class NcnnParamDict {
  private readonly values: ReadonlyMap<number, NcnnParamValue>;

  constructor(values: ReadonlyMap<number, NcnnParamValue>) {
    this.values = values;
  }

  has(id: number): boolean {
    return this.values.has(id);
  }

  ids(): number[] {
    return [...this.values.keys()];
  }

  int(id: number, fallback: number): number {
    const value = this.values.get(id);
    if (value === undefined || !('scalar' in value)) return fallback;
    return scalarInt(value.scalar);
  }

  float(id: number, fallback: number): number {
    const value = this.values.get(id);
    if (value === undefined || !('scalar' in value)) return fallback;
    return scalarFloat(value.scalar);
  }

  ints(id: number): number[] | undefined {
    const value = this.values.get(id);
    if (value === undefined) return undefined;
    return 'array' in value ? value.array.map(scalarInt) : [scalarInt(value.scalar)];
  }

  floats(id: number): number[] | undefined {
    const value = this.values.get(id);
    if (value === undefined) return undefined;
    return 'array' in value ? value.array.map(scalarFloat) : [scalarFloat(value.scalar)];
  }

  /** `key=value` text, arrays as -233xx keys, for messages and info. */
  describe(): string {
    return [...this.values.entries()]
      .map(([id, value]) => ('array' in value
        ? `${-23300 - id}=${value.array.length},${value.array.map((s) => String(s.number)).join(',')}`
        : `${id}=${value.scalar.number}`))
      .join(' ');
  }
}

function bitsToFloat(bits: number): number {
  return new Float32Array(new Int32Array([bits]).buffer)[0] as number;
}

function floatToBits(value: number): number {
  return new Int32Array(new Float32Array([value]).buffer)[0] as number;
}

function scalarInt(scalar: NcnnScalar): number {
  return scalar.isFloat === undefined ? scalar.bits : Math.trunc(scalar.number);
}

function scalarFloat(scalar: NcnnScalar): number {
  if (scalar.isFloat !== undefined) return scalar.number;
  return bitsToFloat(scalar.bits);
}

export interface NcnnLayer {
  readonly type: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly params: NcnnParamDict;
  /** 1-based line in a text param; for a binary param, the 1-based layer number. */
  readonly line: number;
}

export interface NcnnGraph {
  readonly format: 'text' | 'binary';
  readonly layers: readonly NcnnLayer[];
  readonly blobCount: number;
}

function bad(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`Not a valid ncnn .param file: ${message}. Check that the file is an ncnn model graph.`);
}

/** Parses text or binary `.param` bytes (detected from the magic). */
export function parseNcnnParam(bytes: Uint8Array): NcnnGraph {
  if (bytes.byteLength >= 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getInt32(0, true) === NCNN_MAGIC) return parseBinary(view);
  }
  return parseText(new TextDecoder('utf-8').decode(bytes));
}

function parseTextScalar(text: string, where: string): NcnnScalar {
  const isFloat = /[.eE]/.test(text) || /^[+-]?(inf|nan)/i.test(text);
  const number = isFloat ? Number.parseFloat(text) : Number.parseInt(text, 10);
  if (Number.isNaN(number) && !/nan/i.test(text)) throw bad(`value "${text}" is not a number (${where})`);
  if (isFloat) return { bits: floatToBits(number), isFloat: true, number };
  return { bits: number | 0, isFloat: false, number };
}

function parseText(text: string): NcnnGraph {
  const lines = text.split(/\r?\n/);
  let index = 0;
  const next = (): { tokens: string[]; line: number } | undefined => {
    while (index < lines.length) {
      const raw = (lines[index] as string).trim();
      index += 1;
      if (raw.length > 0) return { tokens: raw.split(/\s+/), line: index };
    }
    return undefined;
  };
  const magic = next();
  if (magic === undefined || magic.tokens[0] !== String(NCNN_MAGIC)) {
    throw bad(`the first line must be the magic number ${NCNN_MAGIC}`);
  }
  const counts = next();
  const layerCount = Number(counts?.tokens[0]);
  const blobCount = Number(counts?.tokens[1]);
  if (!Number.isInteger(layerCount) || !Number.isInteger(blobCount) || layerCount < 0) {
    throw bad('the second line must hold the layer and blob counts');
  }
  const layers: NcnnLayer[] = [];
  for (let i = 0; i < layerCount; i += 1) {
    const entry = next();
    if (entry === undefined) throw bad(`it declares ${layerCount} layers but holds ${i}`);
    const { tokens, line } = entry;
    const [type, name, bottomText, topText] = tokens;
    const bottomCount = Number(bottomText);
    const topCount = Number(topText);
    if (type === undefined || name === undefined || !Number.isInteger(bottomCount) || !Number.isInteger(topCount)) {
      throw bad(`line ${line} is not "type name inputs outputs ..."`);
    }
    const blobsEnd = 4 + bottomCount + topCount;
    if (tokens.length < blobsEnd) throw bad(`line ${line} lists fewer blobs than it declares`);
    const inputs = tokens.slice(4, 4 + bottomCount);
    const outputs = tokens.slice(4 + bottomCount, blobsEnd);
    const values = new Map<number, NcnnParamValue>();
    for (const token of tokens.slice(blobsEnd)) {
      const eq = token.indexOf('=');
      const key = Number.parseInt(token.slice(0, eq), 10);
      if (eq <= 0 || Number.isNaN(key)) throw bad(`line ${line}: "${token}" is not key=value`);
      const valueText = token.slice(eq + 1);
      const where = `line ${line}, key ${key}`;
      if (key <= -23300) {
        const parts = valueText.split(',');
        const length = Number.parseInt(parts[0] ?? '', 10);
        if (!Number.isInteger(length) || parts.length - 1 < length) throw bad(`${where}: array length does not match its values`);
        values.set(-key - 23300, { array: parts.slice(1, 1 + length).map((part) => parseTextScalar(part, where)) });
      } else {
        values.set(key, { scalar: parseTextScalar(valueText, where) });
      }
    }
    layers.push({ type, name, inputs, outputs, params: new NcnnParamDict(values), line });
  }
  return { format: 'text', layers, blobCount };
}

function parseBinary(view: DataView): NcnnGraph {
  let offset = 4;
  const readInt = (): number => {
    if (offset + 4 > view.byteLength) throw bad('the binary param ends in the middle of a layer');
    const value = view.getInt32(offset, true);
    offset += 4;
    return value;
  };
  const layerCount = readInt();
  const blobCount = readInt();
  if (layerCount < 0 || blobCount < 0) throw bad('negative layer or blob count');
  const layers: NcnnLayer[] = [];
  for (let i = 0; i < layerCount; i += 1) {
    const typeIndex = readInt();
    const bottomCount = readInt();
    const topCount = readInt();
    if (bottomCount < 0 || topCount < 0 || bottomCount + topCount > 4096) throw bad(`layer ${i + 1} has an impossible blob count`);
    const inputs: string[] = [];
    for (let j = 0; j < bottomCount; j += 1) inputs.push(`blob${readInt()}`);
    const outputs: string[] = [];
    for (let j = 0; j < topCount; j += 1) outputs.push(`blob${readInt()}`);
    const values = new Map<number, NcnnParamValue>();
    for (;;) {
      const id = readInt();
      if (id === -233) break;
      if (id <= -23300) {
        const length = readInt();
        if (length < 0 || length > 1 << 20) throw bad(`layer ${i + 1} has an impossible array length`);
        const array: NcnnScalar[] = [];
        for (let j = 0; j < length; j += 1) array.push(binaryScalar(readInt()));
        values.set(-id - 23300, { array });
      } else {
        values.set(id, { scalar: binaryScalar(readInt()) });
      }
    }
    const type = ncnnLayerTypeName(typeIndex);
    layers.push({ type, name: `${type.toLowerCase()}_${i}`, inputs, outputs, params: new NcnnParamDict(values), line: i + 1 });
  }
  return { format: 'binary', layers, blobCount };
}

function binaryScalar(bits: number): NcnnScalar {
  return { bits, isFloat: undefined, number: bits };
}
