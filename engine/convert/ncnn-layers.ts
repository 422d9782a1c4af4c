// One converter per ncnn layer type, each emitting ONNX nodes for one layer.
// Tensor convention: an ncnn blob of dims (c,h,w) becomes an ONNX tensor
// [1,c,h,w]; a 1-D blob (w) becomes [1,w], a 2-D (h,w) [1,h,w]. `rank` is the
// ncnn rank, so ncnn axis a maps to ONNX axis a+1 (negative axes unchanged).
// ncnn broadcasts a lower-rank operand against the outer axes (a [c] vector
// scales channels), so such operands get trailing unit axes before ONNX's
// numpy broadcasting.
import { NcnnUnsupportedError } from './ncnn-errors.ts';
import type { NcnnLayer, NcnnParamDict } from './ncnn-param.ts';
import type { OnnxGraphBuilder, OnnxAttribute } from './onnx-graph-builder.ts';
import { INT64_MAX, attrF, attrI, attrInts, attrS } from './onnx-graph-builder.ts';

export interface NcnnTensor {
  readonly name: string;
  readonly rank: number;
}

export interface LayerContext {
  readonly builder: OnnxGraphBuilder;
  readonly layer: NcnnLayer;
  readonly inputs: readonly NcnnTensor[];
  /** The layer's weight blobs in layerWeightSpecs order. */
  readonly weights: readonly Float32Array[];
}

export type LayerConverter = (context: LayerContext) => NcnnTensor[];

function unsupported(context: LayerContext, feature: string): NcnnUnsupportedError {
  return new NcnnUnsupportedError(context.layer, feature);
}

function first(context: LayerContext): NcnnTensor {
  const input = context.inputs[0];
  if (input === undefined) throw unsupported(context, 'a missing input');
  return input;
}

function hint(context: LayerContext): string {
  return context.layer.name;
}

function onnxAxis(axis: number): number {
  return axis >= 0 ? axis + 1 : axis;
}

/** ONNX axis of a named ncnn dimension in a blob of the given rank. */
function dimAxis(dim: 'c' | 'd' | 'h' | 'w', rank: number): number | undefined {
  const order = rank === 1 ? ['w'] : rank === 2 ? ['h', 'w'] : rank === 3 ? ['c', 'h', 'w'] : ['c', 'd', 'h', 'w'];
  const index = order.indexOf(dim);
  return index < 0 ? undefined : index + 1;
}

/** Appends unit axes so a lower-rank ncnn operand broadcasts against the outer axes. */
function expandTo(builder: OnnxGraphBuilder, tensor: NcnnTensor, rank: number): string {
  if (tensor.rank >= rank) return tensor.name;
  const axes = Array.from({ length: rank - tensor.rank }, (_, i) => tensor.rank + 1 + i);
  return builder.op('Unsqueeze', [tensor.name, builder.int64Tensor('axes', axes)], [], `${tensor.name}_x`);
}

/** ncnn's fused activation (param 9, arguments in array param 10). */
function activation(context: LayerContext, x: string): string {
  const p = context.layer.params;
  const type = p.int(9, 0);
  const args = p.floats(10) ?? [];
  const b = context.builder;
  const name = hint(context);
  switch (type) {
    case 0: return x;
    case 1: return b.op('Relu', [x], [], name);
    case 2: return b.op('LeakyRelu', [x], [attrF('alpha', args[0] ?? 0)], name);
    case 3: return b.op('Clip', [x, b.scalar(args[0] ?? -Infinity), b.scalar(args[1] ?? Infinity)], [], name);
    case 4: return b.op('Sigmoid', [x], [], name);
    case 5: return mish(b, x, name);
    case 6: return hardSwish(b, x, args[0] ?? 0.2, args[1] ?? 0.5, name);
    default: throw unsupported(context, `fused activation type ${type}`);
  }
}

function mish(b: OnnxGraphBuilder, x: string, name: string): string {
  return b.op('Mul', [x, b.op('Tanh', [b.op('Softplus', [x])])], [], name);
}

function hardSwish(b: OnnxGraphBuilder, x: string, alpha: number, beta: number, name: string): string {
  return b.op('Mul', [x, b.op('HardSigmoid', [x], [attrF('alpha', alpha), attrF('beta', beta)])], [], name);
}

interface Window {
  kw: number; kh: number; dw: number; dh: number; sw: number; sh: number;
  pl: number; pr: number; pt: number; pb: number;
}

function windowParams(p: NcnnParamDict): Window {
  const kw = p.int(1, 0);
  const dw = p.int(2, 1);
  const sw = p.int(3, 1);
  const pl = p.int(4, 0);
  const pt = p.int(14, pl);
  return {
    kw, kh: p.int(11, kw), dw, dh: p.int(12, dw), sw, sh: p.int(13, sw),
    pl, pr: p.int(15, pl), pt, pb: p.int(16, pt),
  };
}

function convolution(depthwise: boolean): LayerConverter {
  return (context) => {
    const p = context.layer.params;
    const b = context.builder;
    const x = first(context);
    if (p.int(8, 0) !== 0) throw unsupported(context, 'int8 quantization (param 8)');
    if (p.int(19, 0) !== 0 || context.inputs.length > 1) throw unsupported(context, 'dynamic weights (param 19)');
    const numOutput = p.int(0, 0);
    const w = windowParams(p);
    const group = depthwise ? p.int(7, 1) : 1;
    const weight = context.weights[0] as Float32Array;
    const inPerGroup = weight.length / (numOutput * w.kw * w.kh);
    if (!Number.isInteger(inPerGroup) || inPerGroup < 1) throw unsupported(context, `a weight size (${weight.length}) that does not divide by its kernel`);
    const inputs = [x.name, b.floatTensor(`${hint(context)}_w`, [numOutput, inPerGroup, w.kh, w.kw], weight)];
    if (context.weights[1] !== undefined) inputs.push(b.floatTensor(`${hint(context)}_b`, [numOutput], context.weights[1]));
    const attributes: OnnxAttribute[] = [
      attrInts('kernel_shape', [w.kh, w.kw]), attrInts('strides', [w.sh, w.sw]),
      attrInts('dilations', [w.dh, w.dw]), attrI('group', group),
    ];
    if (w.pl === -233 || w.pl === -234) {
      attributes.push(attrS('auto_pad', w.pl === -233 ? 'SAME_UPPER' : 'SAME_LOWER'));
    } else if (w.pl < 0 || w.pr < 0 || w.pt < 0 || w.pb < 0) {
      throw unsupported(context, `padding ${w.pl},${w.pt},${w.pr},${w.pb}`);
    } else {
      const padValue = p.float(18, 0);
      if (padValue !== 0 && w.pl + w.pr + w.pt + w.pb > 0) {
        inputs[0] = b.op('Pad', [x.name, b.int64Tensor('pads', [0, 0, w.pt, w.pl, 0, 0, w.pb, w.pr]), b.scalar(padValue)], [attrS('mode', 'constant')]);
      } else {
        attributes.push(attrInts('pads', [w.pt, w.pl, w.pb, w.pr]));
      }
    }
    const y = b.op('Conv', inputs, attributes, `${hint(context)}_conv`);
    return [{ name: activation(context, y), rank: 3 }];
  };
}

function deconvolution(depthwise: boolean): LayerConverter {
  return (context) => {
    const p = context.layer.params;
    const b = context.builder;
    const x = first(context);
    if (p.int(8, 0) !== 0) throw unsupported(context, 'int8 quantization (param 8)');
    if (p.int(28, 0) !== 0 || context.inputs.length > 1) throw unsupported(context, 'dynamic weights (param 28)');
    if (p.int(20, 0) > 0 || p.int(21, 0) > 0) throw unsupported(context, 'a fixed output size (params 20/21)');
    const numOutput = p.int(0, 0);
    const w = windowParams(p);
    const outputPadRight = p.int(18, 0);
    const outputPadBottom = p.int(19, outputPadRight);
    const group = depthwise ? p.int(7, 1) : 1;
    const weight = context.weights[0] as Float32Array;
    const k = w.kw * w.kh;
    const inPerGroup = weight.length / (numOutput * k);
    const outPerGroup = numOutput / group;
    if (!Number.isInteger(inPerGroup) || !Number.isInteger(outPerGroup)) throw unsupported(context, `a weight size (${weight.length}) that does not divide by its kernel`);
    // ncnn: [group][out_g][in_g][kh][kw]; ONNX ConvTranspose: [group*in_g][out_g][kh][kw].
    const reordered = new Float32Array(weight.length);
    for (let g = 0; g < group; g += 1) {
      for (let o = 0; o < outPerGroup; o += 1) {
        for (let i = 0; i < inPerGroup; i += 1) {
          const from = ((g * outPerGroup + o) * inPerGroup + i) * k;
          const to = ((g * inPerGroup + i) * outPerGroup + o) * k;
          reordered.set(weight.subarray(from, from + k), to);
        }
      }
    }
    const inputs = [x.name, b.floatTensor(`${hint(context)}_w`, [group * inPerGroup, outPerGroup, w.kh, w.kw], reordered)];
    if (context.weights[1] !== undefined) inputs.push(b.floatTensor(`${hint(context)}_b`, [numOutput], context.weights[1]));
    const attributes: OnnxAttribute[] = [
      attrInts('kernel_shape', [w.kh, w.kw]), attrInts('strides', [w.sh, w.sw]),
      attrInts('dilations', [w.dh, w.dw]), attrI('group', group),
      attrInts('output_padding', [outputPadBottom, outputPadRight]),
    ];
    if (w.pl === -233 || w.pl === -234) {
      attributes.push(attrS('auto_pad', w.pl === -233 ? 'SAME_UPPER' : 'SAME_LOWER'));
    } else if (w.pl < 0 || w.pr < 0 || w.pt < 0 || w.pb < 0) {
      throw unsupported(context, `padding ${w.pl},${w.pt},${w.pr},${w.pb}`);
    } else {
      attributes.push(attrInts('pads', [w.pt, w.pl, w.pb, w.pr]));
    }
    const y = b.op('ConvTranspose', inputs, attributes, `${hint(context)}_deconv`);
    return [{ name: activation(context, y), rank: 3 }];
  };
}

const innerProduct: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  if (p.int(8, 0) !== 0) throw unsupported(context, 'int8 quantization (param 8)');
  const numOutput = p.int(0, 0);
  const weight = context.weights[0] as Float32Array;
  const numInput = weight.length / numOutput;
  if (!Number.isInteger(numInput)) throw unsupported(context, `a weight size (${weight.length}) that does not divide by num_output`);
  const flat = x.rank === 1 ? x.name : b.op('Flatten', [x.name], [attrI('axis', 1)]);
  const inputs = [flat, b.floatTensor(`${hint(context)}_w`, [numOutput, numInput], weight)];
  if (context.weights[1] !== undefined) inputs.push(b.floatTensor(`${hint(context)}_b`, [numOutput], context.weights[1]));
  const y = b.op('Gemm', inputs, [attrI('transB', 1)], `${hint(context)}_fc`);
  return [{ name: activation(context, y), rank: 1 }];
};

const BINARY_OPS: readonly (readonly [string, boolean])[] = [
  ['Add', false], ['Sub', false], ['Mul', false], ['Div', false], ['Max', false], ['Min', false],
  ['Pow', false], ['Sub', true], ['Div', true], ['Pow', true],
];

const binaryOp: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const opType = p.int(0, 0);
  const entry = BINARY_OPS[opType];
  if (entry === undefined) throw unsupported(context, `operation type ${opType}`);
  const [op, reversed] = entry;
  const a = first(context);
  let left: string;
  let right: string;
  let rank = a.rank;
  if (p.int(1, 0) !== 0 || context.inputs.length === 1) {
    left = a.name;
    right = b.scalar(p.float(2, 0));
  } else {
    const other = context.inputs[1] as NcnnTensor;
    rank = Math.max(a.rank, other.rank);
    left = expandTo(b, a, rank);
    right = expandTo(b, other, rank);
  }
  const inputs = reversed ? [right, left] : [left, right];
  return [{ name: b.op(op, inputs, [], hint(context)), rank }];
};

const UNARY_OPS: readonly string[] = [
  'Abs', 'Neg', 'Floor', 'Ceil', 'square', 'Sqrt', 'rsqrt', 'Exp', 'Log', 'Sin', 'Cos', 'Tan',
  'Asin', 'Acos', 'Atan', 'Reciprocal', 'Tanh', 'log10', 'Round', 'trunc',
];

const unaryOp: LayerConverter = (context) => {
  const b = context.builder;
  const x = first(context);
  const opType = context.layer.params.int(0, 0);
  const op = UNARY_OPS[opType];
  if (op === undefined) throw unsupported(context, `operation type ${opType}`);
  const name = hint(context);
  let y: string;
  if (op === 'square') y = b.op('Mul', [x.name, x.name], [], name);
  else if (op === 'rsqrt') y = b.op('Reciprocal', [b.op('Sqrt', [x.name])], [], name);
  else if (op === 'log10') y = b.op('Mul', [b.op('Log', [x.name]), b.scalar(1 / Math.LN10)], [], name);
  else if (op === 'trunc') y = b.op('Mul', [b.op('Floor', [b.op('Abs', [x.name])]), b.op('Sign', [x.name])], [], name);
  else y = b.op(op, [x.name], [], name);
  return [{ name: y, rank: x.rank }];
};

const eltwise: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const opType = p.int(0, 1);
  const coeffs = p.floats(1) ?? [];
  const rank = Math.max(...context.inputs.map((t) => t.rank));
  let operands = context.inputs.map((t) => expandTo(b, t, rank));
  const name = hint(context);
  if (opType === 1) {
    if (coeffs.length > 0 && coeffs.some((c) => c !== 1)) {
      operands = operands.map((operand, i) => ((coeffs[i] ?? 1) === 1 ? operand : b.op('Mul', [operand, b.scalar(coeffs[i] ?? 1)])));
    }
    return [{ name: b.op('Sum', operands, [], name), rank }];
  }
  if (opType === 0 || opType === 2) {
    const op = opType === 0 ? 'Mul' : 'Max';
    let acc = operands[0] as string;
    for (const operand of operands.slice(1)) acc = b.op(op, [acc, operand], [], name);
    return [{ name: acc, rank }];
  }
  throw unsupported(context, `operation type ${opType}`);
};

const concat: LayerConverter = (context) => {
  const rank = first(context).rank;
  const axis = onnxAxis(context.layer.params.int(0, 0));
  return [{ name: context.builder.op('Concat', context.inputs.map((t) => t.name), [attrI('axis', axis)], hint(context)), rank }];
};

const split: LayerConverter = (context) => {
  const x = first(context);
  return context.layer.outputs.map(() => x);
};

const identity: LayerConverter = (context) => [first(context)];

function endOf(value: number): bigint | number {
  return value === -233 || value >= 2147483647 ? INT64_MAX : value;
}

const crop: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const name = hint(context);
  const starts = p.ints(9);
  if (starts !== undefined) {
    const ends = p.ints(10) ?? [];
    const axes = p.ints(11) ?? starts.map((_, i) => i);
    if (ends.length !== starts.length || axes.length !== starts.length) throw unsupported(context, 'starts/ends/axes arrays of different lengths');
    const y = b.op('Slice', [
      x.name,
      b.int64Tensor('starts', starts),
      b.int64Tensor('ends', ends.map(endOf)),
      b.int64Tensor('axes', axes.map(onnxAxis)),
    ], [], name);
    return [{ name: y, rank: x.rank }];
  }
  const offsets = { c: p.int(2, 0), d: p.int(13, 0), h: p.int(1, 0), w: p.int(0, 0) };
  if (context.inputs.length > 1) {
    const reference = context.inputs[1] as NcnnTensor;
    const count = Math.min(reference.rank, x.rank);
    const dims = (['c', 'd', 'h', 'w'] as const).filter((dim) => dimAxis(dim, x.rank) !== undefined).slice(-count);
    const axes = dims.map((dim) => dimAxis(dim, x.rank) as number);
    const startsName = b.int64Tensor('starts', dims.map((dim) => offsets[dim]));
    const refShape = b.op('Shape', [reference.name], [attrI('start', -count)]);
    const ends = b.op('Add', [refShape, startsName]);
    return [{ name: b.op('Slice', [x.name, startsName, ends, b.int64Tensor('axes', axes)], [], name), rank: x.rank }];
  }
  const sizes = { c: p.int(5, 0), d: p.int(14, 0), h: p.int(4, 0), w: p.int(3, 0) };
  const trailing = { c: p.int(8, 0), d: p.int(15, 0), h: p.int(7, 0), w: p.int(6, 0) };
  const sliceStarts: number[] = [];
  const sliceEnds: (number | bigint)[] = [];
  const sliceAxes: number[] = [];
  for (const dim of ['c', 'd', 'h', 'w'] as const) {
    const axis = dimAxis(dim, x.rank);
    if (axis === undefined) continue;
    const start = offsets[dim];
    const size = sizes[dim];
    let end: number | bigint;
    if (size > 0) end = start + size;
    else if (size === -234) end = -1 - trailing[dim];
    else end = trailing[dim] > 0 ? -trailing[dim] : INT64_MAX;
    if (start === 0 && end === INT64_MAX) continue;
    sliceStarts.push(start);
    sliceEnds.push(end);
    sliceAxes.push(axis);
  }
  if (sliceAxes.length === 0) return [x];
  const y = b.op('Slice', [x.name, b.int64Tensor('starts', sliceStarts), b.int64Tensor('ends', sliceEnds), b.int64Tensor('axes', sliceAxes)], [], name);
  return [{ name: y, rank: x.rank }];
};

const slice: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const axis = onnxAxis(p.int(1, 0));
  const count = context.layer.outputs.length;
  const indices = p.ints(2);
  const slices = p.ints(0) ?? [];
  if (indices !== undefined && indices.length > 0) {
    const bounds = [0, ...indices.slice(0, count - 1)];
    return bounds.map((start, i) => ({
      name: b.op('Slice', [x.name, b.int64Tensor('starts', [start]), b.int64Tensor('ends', [i + 1 < bounds.length ? (bounds[i + 1] as number) : INT64_MAX]), b.int64Tensor('axes', [axis])], [], `${hint(context)}_${i}`),
      rank: x.rank,
    }));
  }
  if (slices.length !== count) throw unsupported(context, `${slices.length} slice sizes for ${count} outputs`);
  if (slices.every((s) => s === -233)) {
    return b.opMulti('Split', [x.name], count, [attrI('axis', axis)], hint(context)).map((name) => ({ name, rank: x.rank }));
  }
  if (slices.slice(0, -1).some((s) => s < 0)) throw unsupported(context, 'an open-ended slice before the last one');
  let start = 0;
  return slices.map((size, i) => {
    const end = size === -233 ? INT64_MAX : start + size;
    const y = b.op('Slice', [x.name, b.int64Tensor('starts', [start]), b.int64Tensor('ends', [end]), b.int64Tensor('axes', [axis])], [], `${hint(context)}_${i}`);
    start += size;
    return { name: y, rank: x.rank };
  });
};

const interp: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  if (x.rank !== 3) throw unsupported(context, `resizing a ${x.rank}-D blob`);
  const type = p.int(0, 0);
  const alignCorner = p.int(6, 0) !== 0;
  const attributes: OnnxAttribute[] = [];
  if (type === 1) {
    attributes.push(attrS('mode', 'nearest'), attrS('coordinate_transformation_mode', 'asymmetric'), attrS('nearest_mode', 'floor'));
  } else if (type === 2 || type === 3) {
    attributes.push(attrS('mode', type === 2 ? 'linear' : 'cubic'), attrS('coordinate_transformation_mode', alignCorner ? 'align_corners' : 'half_pixel'));
    if (type === 3) attributes.push(attrF('cubic_coeff_a', -0.75));
  } else {
    throw unsupported(context, `resize type ${type}`);
  }
  const outH = p.int(3, 0);
  const outW = p.int(4, 0);
  let inputs: string[];
  if (context.inputs.length > 1 || p.int(5, 0) !== 0) {
    const reference = context.inputs[1];
    if (reference === undefined) throw unsupported(context, 'a dynamic target size without a reference input');
    const sizes = b.op('Concat', [b.op('Shape', [x.name], [attrI('end', 2)]), b.op('Shape', [reference.name], [attrI('start', -2)])], [attrI('axis', 0)]);
    inputs = [x.name, '', '', sizes];
  } else if (outH > 0 && outW > 0) {
    const sizes = b.op('Concat', [b.op('Shape', [x.name], [attrI('end', 2)]), b.int64Tensor('hw', [outH, outW])], [attrI('axis', 0)]);
    inputs = [x.name, '', '', sizes];
  } else {
    inputs = [x.name, '', b.floatTensor('scales', [4], [1, 1, p.float(1, 1), p.float(2, 1)])];
  }
  return [{ name: b.op('Resize', inputs, attributes, hint(context)), rank: 3 }];
};

const pixelShuffle: LayerConverter = (context) => {
  const x = first(context);
  const p = context.layer.params;
  const mode = p.int(1, 0) === 0 ? 'CRD' : 'DCR';
  return [{ name: context.builder.op('DepthToSpace', [x.name], [attrI('blocksize', p.int(0, 1)), attrS('mode', mode)], hint(context)), rank: 3 }];
};

function channelShape(rank: number, count: number): number[] {
  return [count, ...Array.from({ length: Math.max(rank - 1, 0) }, () => 1)];
}

const prelu: LayerConverter = (context) => {
  const x = first(context);
  const slope = context.weights[0] as Float32Array;
  const dims = slope.length === 1 ? [1] : channelShape(x.rank, slope.length);
  const b = context.builder;
  return [{ name: b.op('PRelu', [x.name, b.floatTensor(`${hint(context)}_slope`, dims, slope)], [], hint(context)), rank: x.rank }];
};

const relu: LayerConverter = (context) => {
  const x = first(context);
  const slope = context.layer.params.float(0, 0);
  const b = context.builder;
  const y = slope === 0 ? b.op('Relu', [x.name], [], hint(context)) : b.op('LeakyRelu', [x.name], [attrF('alpha', slope)], hint(context));
  return [{ name: y, rank: x.rank }];
};

function simple(op: string, attributes: (p: NcnnParamDict) => OnnxAttribute[] = () => []): LayerConverter {
  return (context) => {
    const x = first(context);
    return [{ name: context.builder.op(op, [x.name], attributes(context.layer.params), hint(context)), rank: x.rank }];
  };
}

const clip: LayerConverter = (context) => {
  const x = first(context);
  const p = context.layer.params;
  const b = context.builder;
  return [{ name: b.op('Clip', [x.name, b.scalar(p.float(0, -Infinity)), b.scalar(p.float(1, Infinity))], [], hint(context)), rank: x.rank }];
};

const swish: LayerConverter = (context) => {
  const x = first(context);
  const b = context.builder;
  return [{ name: b.op('Mul', [x.name, b.op('Sigmoid', [x.name])], [], hint(context)), rank: x.rank }];
};

const mishLayer: LayerConverter = (context) => {
  const x = first(context);
  return [{ name: mish(context.builder, x.name, hint(context)), rank: x.rank }];
};

const hardSwishLayer: LayerConverter = (context) => {
  const x = first(context);
  const p = context.layer.params;
  return [{ name: hardSwish(context.builder, x.name, p.float(0, 0.2), p.float(1, 0.5), hint(context)), rank: x.rank }];
};

const dropout: LayerConverter = (context) => {
  const x = first(context);
  const scale = context.layer.params.float(0, 1);
  if (scale === 1) return [x];
  return [{ name: context.builder.op('Mul', [x.name, context.builder.scalar(scale)], [], hint(context)), rank: x.rank }];
};

const pooling: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const type = p.int(0, 0);
  if (type !== 0 && type !== 1) throw unsupported(context, `pooling type ${type}`);
  if (p.int(7, 0) !== 0) throw unsupported(context, 'adaptive pooling (param 7)');
  if (p.int(4, 0) !== 0) {
    const pooled = b.op(type === 0 ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name]);
    return [{ name: b.op('Flatten', [pooled], [attrI('axis', 1)], hint(context)), rank: 1 }];
  }
  const kw = p.int(1, 0);
  const kh = p.int(11, kw);
  const sw = p.int(2, 1);
  const sh = p.int(12, sw);
  const pl = p.int(3, 0);
  const pr = p.int(14, pl);
  const pt = p.int(13, pl);
  const pb = p.int(15, pt);
  const padMode = p.int(5, 0);
  const attributes: OnnxAttribute[] = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sh, sw])];
  if (padMode === 0) attributes.push(attrInts('pads', [pt, pl, pb, pr]), attrI('ceil_mode', 1));
  else if (padMode === 1) attributes.push(attrInts('pads', [0, 0, 0, 0]));
  else attributes.push(attrS('auto_pad', padMode === 2 ? 'SAME_UPPER' : 'SAME_LOWER'));
  if (type === 1) attributes.push(attrI('count_include_pad', p.int(6, 0)));
  return [{ name: b.op(type === 0 ? 'MaxPool' : 'AveragePool', [x.name], attributes, hint(context)), rank: 3 }];
};

const padding: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  if (p.int(6, 0) !== 0) throw unsupported(context, 'per-channel pad values (param 6)');
  const top = p.int(0, 0);
  const bottom = p.int(1, 0);
  const left = p.int(2, 0);
  const right = p.int(3, 0);
  const front = p.int(7, 0);
  const behind = p.int(8, 0);
  const type = p.int(4, 0);
  const mode = ['constant', 'edge', 'reflect'][type];
  if (mode === undefined) throw unsupported(context, `padding type ${type}`);
  let pads: number[];
  if (x.rank === 3) pads = [0, front, top, left, 0, behind, bottom, right];
  else if (x.rank === 2) pads = [0, top, left, 0, bottom, right];
  else if (x.rank === 1) pads = [0, left, 0, right];
  else throw unsupported(context, 'padding a 4-D blob');
  const inputs = [x.name, b.int64Tensor('pads', pads)];
  if (type === 0) inputs.push(b.scalar(p.float(5, 0)));
  return [{ name: b.op('Pad', inputs, [attrS('mode', mode)], hint(context)), rank: x.rank }];
};

const instanceNorm: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const channels = p.int(0, 0);
  const gamma = context.weights[0] ?? new Float32Array(channels).fill(1);
  const beta = context.weights[1] ?? new Float32Array(channels);
  const y = b.op('InstanceNormalization', [
    x.name, b.floatTensor(`${hint(context)}_gamma`, [channels], gamma), b.floatTensor(`${hint(context)}_beta`, [channels], beta),
  ], [attrF('epsilon', p.float(1, 0.001))], hint(context));
  return [{ name: y, rank: x.rank }];
};

const batchNorm: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const channels = p.int(0, 0);
  const [slope, mean, variance, bias] = context.weights as Float32Array[];
  const h = hint(context);
  const y = b.op('BatchNormalization', [
    x.name,
    b.floatTensor(`${h}_scale`, [channels], slope as Float32Array),
    b.floatTensor(`${h}_bias`, [channels], bias as Float32Array),
    b.floatTensor(`${h}_mean`, [channels], mean as Float32Array),
    b.floatTensor(`${h}_var`, [channels], variance as Float32Array),
  ], [attrF('epsilon', p.float(1, 0))], h);
  return [{ name: y, rank: x.rank }];
};

const scale: LayerConverter = (context) => {
  const p = context.layer.params;
  const b = context.builder;
  const x = first(context);
  const h = hint(context);
  let y: string;
  if (p.int(0, 0) === -233) {
    const factor = context.inputs[1];
    if (factor === undefined) throw unsupported(context, 'a blob scale without its second input');
    y = b.op('Mul', [x.name, expandTo(b, factor, x.rank)], [], h);
  } else {
    const factor = context.weights[0] as Float32Array;
    y = b.op('Mul', [x.name, b.floatTensor(`${h}_scale`, [1, ...channelShape(x.rank, factor.length)], factor)], [], h);
    const bias = context.weights[1];
    if (bias !== undefined) y = b.op('Add', [y, b.floatTensor(`${h}_bias`, [1, ...channelShape(x.rank, bias.length)], bias)], [], h);
  }
  return [{ name: y, rank: x.rank }];
};

const bias: LayerConverter = (context) => {
  const x = first(context);
  const data = context.weights[0] as Float32Array;
  const b = context.builder;
  return [{ name: b.op('Add', [x.name, b.floatTensor(`${hint(context)}_bias`, [1, ...channelShape(x.rank, data.length)], data)], [], hint(context)), rank: x.rank }];
};

const memoryData: LayerConverter = (context) => {
  const p = context.layer.params;
  const w = Math.max(p.int(0, 0), 1);
  const h = p.int(1, 0);
  const d = p.int(11, 0);
  const c = p.int(2, 0);
  let dims: number[];
  if (c > 0) dims = d > 0 ? [c, d, Math.max(h, 1), w] : [c, Math.max(h, 1), w];
  else if (h > 0) dims = [h, w];
  else dims = [w];
  const name = context.builder.floatTensor(hint(context), [1, ...dims], context.weights[0] as Float32Array);
  return [{ name, rank: dims.length }];
};

const flatten: LayerConverter = (context) => {
  const x = first(context);
  if (x.rank === 1) return [x];
  return [{ name: context.builder.op('Flatten', [x.name], [attrI('axis', 1)], hint(context)), rank: 1 }];
};

/**
 * rife.Warp(image, flow): bilinear sample of image at (x + flow_x, y + flow_y)
 * in pixels, clamped to the border. GridSample with align_corners=1 takes
 * coordinates normalised so that -1 and 1 are the centres of the edge pixels.
 */
const rifeWarp: LayerConverter = (context) => {
  const b = context.builder;
  const image = first(context);
  const flow = context.inputs[1];
  if (flow === undefined) throw unsupported(context, 'a warp without a flow input');
  const h = hint(context);
  const hw = b.op('Cast', [b.op('Shape', [flow.name], [attrI('start', 2)])], [attrI('to', 1)], `${h}_hw`);
  const [height, width] = b.opMulti('Split', [hw, b.int64Tensor('split', [1, 1])], 2, [attrI('axis', 0)], `${h}_dim`) as [string, string];
  const zero = b.scalar(0);
  const one = b.scalar(1);
  const scalarShape = b.int64Tensor('scalar_shape', [], [0]);
  const rangeY = b.op('Range', [zero, b.op('Reshape', [height, scalarShape]), one]);
  const rangeX = b.op('Range', [zero, b.op('Reshape', [width, scalarShape]), one]);
  const gridY = b.op('Reshape', [rangeY, b.int64Tensor('shape', [1, 1, -1, 1])]);
  const gridX = b.op('Reshape', [rangeX, b.int64Tensor('shape', [1, 1, 1, -1])]);
  const [flowX, flowY] = b.opMulti('Split', [flow.name, b.int64Tensor('split', [1, 1])], 2, [attrI('axis', 1)], `${h}_flow`) as [string, string];
  const two = b.scalar(2);
  const normalise = (coordinate: string, size: string): string => b.op('Sub', [
    b.op('Mul', [b.op('Div', [coordinate, b.op('Sub', [size, one])]), two]),
    one,
  ]);
  const gx = normalise(b.op('Add', [flowX, gridX]), width);
  const gy = normalise(b.op('Add', [flowY, gridY]), height);
  const grid = b.op('Transpose', [b.op('Concat', [gx, gy], [attrI('axis', 1)])], [attrInts('perm', [0, 2, 3, 1])]);
  const y = b.op('GridSample', [image.name, grid], [attrI('align_corners', 1), attrS('mode', 'bilinear'), attrS('padding_mode', 'border')], h);
  return [{ name: y, rank: 3 }];
};

export const NCNN_LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = new Map<string, LayerConverter>([
  ['Convolution', convolution(false)],
  ['ConvolutionDepthWise', convolution(true)],
  ['Deconvolution', deconvolution(false)],
  ['DeconvolutionDepthWise', deconvolution(true)],
  ['InnerProduct', innerProduct],
  ['BinaryOp', binaryOp],
  ['UnaryOp', unaryOp],
  ['Eltwise', eltwise],
  ['Concat', concat],
  ['Split', split],
  ['Noop', identity],
  ['Dropout', dropout],
  ['Crop', crop],
  ['Slice', slice],
  ['Interp', interp],
  ['PixelShuffle', pixelShuffle],
  ['PReLU', prelu],
  ['ReLU', relu],
  ['Clip', clip],
  ['Sigmoid', simple('Sigmoid')],
  ['TanH', simple('Tanh')],
  ['AbsVal', simple('Abs')],
  ['ELU', simple('Elu', (p) => [attrF('alpha', p.float(0, 0.1))])],
  ['HardSigmoid', simple('HardSigmoid', (p) => [attrF('alpha', p.float(0, 0.2)), attrF('beta', p.float(1, 0.5))])],
  ['Swish', swish],
  ['Mish', mishLayer],
  ['HardSwish', hardSwishLayer],
  ['Pooling', pooling],
  ['Padding', padding],
  ['InstanceNorm', instanceNorm],
  ['BatchNorm', batchNorm],
  ['Scale', scale],
  ['Bias', bias],
  ['MemoryData', memoryData],
  ['Flatten', flatten],
  ['rife.Warp', rifeWarp],
]);
