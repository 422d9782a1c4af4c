// Reads an ONNX file's graph inputs and outputs without decoding its weights.
// The protobuf wire format is walked with positional reads: length-delimited
// fields that are not wanted (nodes, initializer payloads) are skipped by
// their length, so a 100 MB model costs a few kilobytes of reads. Only the
// small ValueInfoProto messages are decoded, with onnx-proto (loaded once, in
// onnx-file.ts). This is the engine's one reader of a model's inputs and
// outputs: the catalog checks, import, info and the tests all use it.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { throwIfCancelled } from '../../common/errors.ts';
import { onnx } from './onnx-file.ts';

/** A free dimension carries its symbolic name, or null when the graph names none. */
export type GraphDim = number | { symbol: string | null };

export interface GraphTensor {
  name: string;
  /** 'float32', 'float16', ... or `type<N>` for element types without a name here. */
  elementType: string;
  /** null when the graph declares no shape at all. */
  shape: GraphDim[] | null;
}

export interface GraphIo {
  inputs: GraphTensor[];
  outputs: GraphTensor[];
}

export class OnnxGraphReadError extends Error {
  constructor(path: string, reason: string) {
    super(`${path} is not a readable ONNX model: ${reason}`);
    this.name = 'OnnxGraphReadError';
  }
}

const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64',
  8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const GRAPH_INPUT_FIELD = 11;
const GRAPH_OUTPUT_FIELD = 12;
const TENSOR_NAME_FIELD = 8;

interface Field {
  number: number;
  wireType: number;
  /** Offset of the payload (after tag and, for length fields, the length). */
  start: number;
  /** Offset just past the payload. */
  end: number;
}

/** Reads windows of a file on demand; one window is kept so sequential small reads are cheap. */
class WindowedFile {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly windowBytes = 64 * 1024,
  ) {}

  /** Bytes [offset, offset + length), clipped to the file end. */
  async bytes(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (offset >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(offset - this.windowStart, end - this.windowStart);
    }
    const want = Math.max(end - offset, this.windowBytes);
    const buffer = Buffer.alloc(Math.min(want, this.size - offset));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, offset);
    this.window = buffer.subarray(0, bytesRead);
    this.windowStart = offset;
    return this.window.subarray(0, Math.min(end - offset, bytesRead));
  }
}

function readVarint(buffer: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  let multiplier = 1;
  for (let index = at; index < buffer.length && index < at + 10; index += 1) {
    const byte = buffer[index]!;
    value += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) return { value, next: index + 1 };
  }
  return undefined;
}

/** The fields of the message occupying [start, end), without reading their payloads. */
async function* fields(file: WindowedFile, start: number, end: number, path: string): AsyncGenerator<Field> {
  let offset = start;
  while (offset < end) {
    const header = await file.bytes(offset, 20);
    const tag = readVarint(header, 0);
    if (!tag) throw new OnnxGraphReadError(path, `truncated field tag at byte ${offset}`);
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    let payloadStart = offset + tag.next;
    let payloadEnd: number;
    if (wireType === WIRE_VARINT) {
      const value = readVarint(header, tag.next);
      if (!value) throw new OnnxGraphReadError(path, `truncated varint at byte ${offset}`);
      payloadEnd = offset + value.next;
    } else if (wireType === WIRE_FIXED64) {
      payloadEnd = payloadStart + 8;
    } else if (wireType === WIRE_FIXED32) {
      payloadEnd = payloadStart + 4;
    } else if (wireType === WIRE_LENGTH) {
      const length = readVarint(header, tag.next);
      if (!length) throw new OnnxGraphReadError(path, `truncated length at byte ${offset}`);
      payloadStart = offset + length.next;
      payloadEnd = payloadStart + length.value;
    } else {
      throw new OnnxGraphReadError(path, `unsupported protobuf wire type ${wireType} at byte ${offset}`);
    }
    if (number === 0 || payloadEnd > end) {
      throw new OnnxGraphReadError(path, `field ${number} at byte ${offset} runs past its message (file truncated or not ONNX)`);
    }
    yield { number, wireType, start: payloadStart, end: payloadEnd };
    offset = payloadEnd;
  }
}

function dimsOf(value: InstanceType<typeof onnx.ValueInfoProto>): GraphDim[] | null {
  const shape = value.type?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((dim): GraphDim => {
    if (dim.dimParam) return { symbol: dim.dimParam };
    // Unset dim_value decodes as 0; some exporters write -1 for a dynamic dimension.
    const size = dim.dimValue === undefined || dim.dimValue === null ? 0 : Number(dim.dimValue.toString());
    return size > 0 ? size : { symbol: null };
  });
}

function tensorOf(bytes: Buffer, path: string): GraphTensor {
  let value: InstanceType<typeof onnx.ValueInfoProto>;
  try {
    value = onnx.ValueInfoProto.decode(bytes);
  } catch (error) {
    throw new OnnxGraphReadError(path, `a graph input or output does not decode (${(error as Error).message})`);
  }
  const elemType = value.type?.tensorType?.elemType ?? 0;
  return {
    name: value.name,
    elementType: ELEMENT_TYPES[elemType] ?? `type${elemType}`,
    shape: dimsOf(value),
  };
}

async function tensorName(file: WindowedFile, initializer: Field, path: string): Promise<string | undefined> {
  for await (const field of fields(file, initializer.start, initializer.end, path)) {
    if (field.number === TENSOR_NAME_FIELD && field.wireType === WIRE_LENGTH) {
      return (await file.bytes(field.start, field.end - field.start)).toString('utf8');
    }
  }
  return undefined;
}

/**
 * The graph's real inputs (initializers listed as inputs, as IR < 4 files do,
 * are left out) and outputs. Throws OnnxGraphReadError for a file that is not
 * an ONNX model or is truncated.
 */
export async function readGraphIo(path: string, options: { signal?: AbortSignal } = {}): Promise<GraphIo> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const file = new WindowedFile(handle, size);
    let graph: Field | undefined;
    for await (const field of fields(file, 0, size, path)) {
      if (field.number === MODEL_GRAPH_FIELD && field.wireType === WIRE_LENGTH) graph = field;
    }
    if (!graph) throw new OnnxGraphReadError(path, 'it has no graph');
    const inputs: GraphTensor[] = [];
    const outputs: GraphTensor[] = [];
    const initializerNames = new Set<string>();
    for await (const field of fields(file, graph.start, graph.end, path)) {
      throwIfCancelled(options.signal);
      if (field.wireType !== WIRE_LENGTH) continue;
      if (field.number === GRAPH_INPUT_FIELD || field.number === GRAPH_OUTPUT_FIELD) {
        const bytes = Buffer.from(await file.bytes(field.start, field.end - field.start));
        (field.number === GRAPH_INPUT_FIELD ? inputs : outputs).push(tensorOf(bytes, path));
      } else if (field.number === GRAPH_INITIALIZER_FIELD) {
        const name = await tensorName(file, field, path);
        if (name !== undefined) initializerNames.add(name);
      }
    }
    return { inputs: inputs.filter((input) => !initializerNames.has(input.name)), outputs };
  } finally {
    await handle.close();
  }
}
