// A small append-only ONNX graph builder for the converters: fresh value
// names, float32/int64 initializers, typed attributes and a final ModelProto
// encode. Opset 17: the first with GridSample (16) and LayerNormalization, and
// what onnxruntime 1.30 runs everywhere.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const CONVERTED_OPSET = 17;
const IR_VERSION = 8;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export type OnnxAttribute =
  | { readonly name: string; readonly i: number }
  | { readonly name: string; readonly f: number }
  | { readonly name: string; readonly s: string }
  | { readonly name: string; readonly ints: readonly number[] }
  | { readonly name: string; readonly floats: readonly number[] };

export const attrI = (name: string, i: number): OnnxAttribute => ({ name, i });
export const attrF = (name: string, f: number): OnnxAttribute => ({ name, f });
export const attrS = (name: string, s: string): OnnxAttribute => ({ name, s });
export const attrInts = (name: string, ints: readonly number[]): OnnxAttribute => ({ name, ints });

/** The largest int64, for "to the end" in Slice. */
export const INT64_MAX = 9223372036854775807n;

export interface GraphValue {
  readonly name: string;
  /** 'H'/'W'-style symbolic dims or numbers; undefined leaves the shape free. */
  readonly dims?: readonly (number | string)[];
}

function toAttribute(attribute: OnnxAttribute): onnxProto.onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if ('i' in attribute) return { name: attribute.name, type: type.INT, i: attribute.i };
  if ('f' in attribute) return { name: attribute.name, type: type.FLOAT, f: attribute.f };
  if ('s' in attribute) return { name: attribute.name, type: type.STRING, s: new TextEncoder().encode(attribute.s) };
  if ('ints' in attribute) return { name: attribute.name, type: type.INTS, ints: [...attribute.ints] };
  return { name: attribute.name, type: type.FLOATS, floats: [...attribute.floats] };
}

function valueInfo(value: GraphValue): onnxProto.onnx.IValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: FLOAT };
  if (value.dims !== undefined) {
    tensorType.shape = { dim: value.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  }
  return { name: value.name, type: { tensorType } };
}

export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A value name not used before, derived from a hint. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:-]/g, '_') || 'v';
    let name = base;
    while (this.used.has(name)) {
      this.counter += 1;
      name = `${base}_${this.counter}`;
    }
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs and outputs); false when already taken. */
  reserve(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], hint = opType): string {
    return this.opMulti(opType, inputs, 1, attributes, hint)[0] as string;
  }

  opMulti(opType: string, inputs: readonly string[], outputCount: number, attributes: readonly OnnxAttribute[] = [], hint = opType): string[] {
    const outputs = Array.from({ length: outputCount }, (_, i) => this.fresh(outputCount === 1 ? hint : `${hint}_${i}`));
    this.opInto(opType, inputs, outputs, attributes);
    return outputs;
  }

  /** Adds a node writing to names the caller reserved. */
  opInto(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly OnnxAttribute[] = []): void {
    this.nodes.push({
      opType,
      name: this.fresh(`n_${opType}`),
      input: [...inputs],
      output: [...outputs],
      attribute: attributes.map(toAttribute),
    });
  }

  floatTensor(hint: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const name = this.fresh(hint);
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    this.initializers.push({ name, dataType: FLOAT, dims: [...dims], rawData: raw });
    return name;
  }

  /** A scalar float32 constant (rank 0). */
  scalar(value: number, hint = 'c'): string {
    return this.floatTensor(hint, [], [value]);
  }

  int64Tensor(hint: string, values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh(hint);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: INT64, dims: [...dims], rawData: new Uint8Array(data.buffer).slice() });
    return name;
  }

  encode(inputs: readonly GraphValue[], outputs: readonly GraphValue[], graphName: string, producer: string): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: producer,
      producerVersion: '1',
      opsetImport: [{ domain: '', version: CONVERTED_OPSET }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
