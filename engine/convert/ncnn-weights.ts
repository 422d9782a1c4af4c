// Reads an ncnn `.bin`: the weights of each layer in param order, with no
// index. Weight matrices start with a 4-byte tag that names their storage
// (float32, float16, int8, or a 256-entry lookup table); biases and other
// small vectors are raw float32 without a tag. Every blob is padded to 4
// bytes. The sizes come from each layer's params (layerWeightSpecs), so a
// `.bin` that does not belong to its `.param` shows up as a size mismatch.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { NcnnGraph, NcnnLayer } from './ncnn-param.ts';

export interface NcnnWeightSpec {
  readonly name: string;
  readonly count: number;
  /** True for blobs preceded by a storage tag (ncnn's `mb.load(n, 0)`). */
  readonly tagged: boolean;
}

const TAG_FLOAT16 = 0x01306b47;
const TAG_INT8 = 0x000d4b38;
const TAG_FLOAT32_SCALED = 0x0002c056;

/** The weight blobs a layer reads from the `.bin`, in order. */
export function layerWeightSpecs(layer: NcnnLayer): NcnnWeightSpec[] {
  const p = layer.params;
  switch (layer.type) {
    case 'Convolution':
    case 'ConvolutionDepthWise':
    case 'Deconvolution':
    case 'DeconvolutionDepthWise': {
      const specs: NcnnWeightSpec[] = [{ name: 'weight', count: p.int(6, 0), tagged: true }];
      if (p.int(5, 0) !== 0) specs.push({ name: 'bias', count: p.int(0, 0), tagged: false });
      return specs;
    }
    case 'InnerProduct': {
      const specs: NcnnWeightSpec[] = [{ name: 'weight', count: p.int(2, 0), tagged: true }];
      if (p.int(1, 0) !== 0) specs.push({ name: 'bias', count: p.int(0, 0), tagged: false });
      return specs;
    }
    case 'PReLU':
      return [{ name: 'slope', count: p.int(0, 0), tagged: false }];
    case 'Scale': {
      const size = p.int(0, 0);
      if (size === -233) return [];
      const specs: NcnnWeightSpec[] = [{ name: 'scale', count: size, tagged: false }];
      if (p.int(1, 0) !== 0) specs.push({ name: 'bias', count: size, tagged: false });
      return specs;
    }
    case 'Bias':
      return [{ name: 'bias', count: p.int(0, 0), tagged: false }];
    case 'InstanceNorm':
      return p.int(2, 1) === 0 ? [] : [
        { name: 'gamma', count: p.int(0, 0), tagged: false },
        { name: 'beta', count: p.int(0, 0), tagged: false },
      ];
    case 'BatchNorm': {
      const channels = p.int(0, 0);
      return ['slope', 'mean', 'variance', 'bias'].map((name) => ({ name, count: channels, tagged: false }));
    }
    case 'MemoryData': {
      const count = Math.max(p.int(0, 0), 1) * Math.max(p.int(1, 0), 1) * Math.max(p.int(11, 0), 1) * Math.max(p.int(2, 0), 1);
      return [{ name: 'data', count, tagged: false }];
    }
    default:
      return [];
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function float16ToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Sequential reader over one `.bin`; each read consumes one weight blob. */
export class NcnnWeightReader {
  private readonly view: DataView;
  private position = 0;
  private halfTable: Float32Array | undefined;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.position;
  }

  remaining(): number {
    return this.view.byteLength - this.position;
  }

  read(spec: NcnnWeightSpec, layer: NcnnLayer): Float32Array {
    if (spec.count < 0) throw new InvalidArgumentError(`ncnn layer ${layer.name} (${layer.type}, line ${layer.line}) declares a negative ${spec.name} size.`);
    if (!spec.tagged) return this.readFloat32(spec, layer);
    this.need(4, spec, layer);
    const tag = this.view.getUint32(this.position, true);
    this.position += 4;
    if (tag === 0 || tag === TAG_FLOAT32_SCALED) return this.readFloat32(spec, layer);
    if (tag === TAG_FLOAT16) {
      this.need(spec.count * 2, spec, layer);
      const table = this.float16Table();
      const out = new Float32Array(spec.count);
      for (let i = 0; i < spec.count; i += 1) out[i] = table[this.view.getUint16(this.position + i * 2, true)] as number;
      this.position += align4(spec.count * 2);
      return out;
    }
    if (tag === TAG_INT8) {
      throw new InvalidArgumentError(`ncnn layer ${layer.name} (${layer.type}, line ${layer.line}) stores int8-quantized weights, which Framesmith cannot convert. Use the fp32 or fp16 release of this model.`);
    }
    // Any other tag: a 256-entry float32 lookup table followed by one byte per weight.
    this.need(1024 + spec.count, spec, layer);
    const table = new Float32Array(256);
    for (let i = 0; i < 256; i += 1) table[i] = this.view.getFloat32(this.position + i * 4, true);
    this.position += 1024;
    const out = new Float32Array(spec.count);
    for (let i = 0; i < spec.count; i += 1) out[i] = table[this.view.getUint8(this.position + i)] as number;
    this.position += align4(spec.count);
    return out;
  }

  private float16Table(): Float32Array {
    if (this.halfTable === undefined) {
      this.halfTable = new Float32Array(65536);
      for (let i = 0; i < 65536; i += 1) this.halfTable[i] = float16ToFloat32(i);
    }
    return this.halfTable;
  }

  private readFloat32(spec: NcnnWeightSpec, layer: NcnnLayer): Float32Array {
    this.need(spec.count * 4, spec, layer);
    const out = new Float32Array(spec.count);
    for (let i = 0; i < spec.count; i += 1) out[i] = this.view.getFloat32(this.position + i * 4, true);
    this.position += spec.count * 4;
    return out;
  }

  private need(bytes: number, spec: NcnnWeightSpec, layer: NcnnLayer): void {
    if (this.position + bytes > this.view.byteLength) {
      throw new InvalidArgumentError(
        `The ncnn .bin is too short: layer ${layer.name} (${layer.type}, line ${layer.line}) needs ${bytes} bytes of ${spec.name} at offset ${this.position}, but the file has ${this.view.byteLength} bytes. The .bin probably belongs to another .param; pair files from the same folder.`,
      );
    }
  }
}

/** Total weight values a graph reads, for info and size checks. */
export function graphWeightCount(graph: NcnnGraph): number {
  let total = 0;
  for (const layer of graph.layers) for (const spec of layerWeightSpecs(layer)) total += spec.count;
  return total;
}

/**
 * A float32 `.bin` with deterministic pseudo-random weights shaped from the
 * param: lets a graph be converted and run without its real weights.
 */
export function synthesizeNcnnBin(graph: NcnnGraph, seed = 1): Uint8Array {
  const specs = graph.layers.flatMap((layer) => layerWeightSpecs(layer).map((spec) => ({ layer, spec })));
  let size = 0;
  for (const { spec } of specs) size += (spec.tagged ? 4 : 0) + spec.count * 4;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let state = seed >>> 0 || 1;
  let offset = 0;
  for (const { layer, spec } of specs) {
    if (spec.tagged) offset += 4;
    const fanIn = fanInOf(layer, spec);
    const amplitude = spec.name === 'weight' ? Math.sqrt(3 / fanIn) : spec.name === 'variance' ? 0 : 0.1;
    const base = spec.name === 'variance' || spec.name === 'gamma' || spec.name === 'scale' ? 1 : 0;
    for (let i = 0; i < spec.count; i += 1) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      view.setFloat32(offset, base + amplitude * ((state / 4294967296) * 2 - 1), true);
      offset += 4;
    }
  }
  return bytes;
}

function fanInOf(layer: NcnnLayer, spec: NcnnWeightSpec): number {
  const outputs = Math.max(layer.params.int(0, 1), 1);
  return Math.max(spec.count / outputs, 1);
}
