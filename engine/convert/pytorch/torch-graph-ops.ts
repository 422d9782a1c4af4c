// PyTorch modules as ONNX nodes over the shared OnnxGraphBuilder: weights
// come from a state dict by key, with their shapes checked, so a builder
// fails with the key's name rather than deep inside onnxruntime.
import type { OnnxGraphBuilder } from '../onnx-graph-builder.ts';
import { attrF, attrI, attrInts, attrS } from '../onnx-graph-builder.ts';
import { CheckpointFormatError } from './pytorch-errors.ts';
import { floatData } from './state-tensor.ts';
import type { StateDict, StateTensor } from './state-tensor.ts';

export function requireTensor(stateDict: StateDict, key: string, rank?: number): StateTensor {
  const tensor = stateDict.get(key);
  if (tensor === undefined) throw new CheckpointFormatError(`weight "${key}" is missing`);
  if (rank !== undefined && tensor.shape.length !== rank) {
    throw new CheckpointFormatError(`weight "${key}" has shape [${tensor.shape.join(', ')}], expected rank ${rank}`);
  }
  return tensor;
}

export interface ConvOptions {
  stride?: number;
  /** Zero padding on every side (Conv2d's padding); reflection padding is a separate Pad. */
  padding?: number;
}

/** nn.Conv2d from `<prefix>.weight` / `<prefix>.bias`; groups follow from the weight's shape. */
export function conv2d(builder: OnnxGraphBuilder, stateDict: StateDict, prefix: string, input: string, inChannels: number, options: ConvOptions = {}): { output: string; channels: number } {
  const weight = requireTensor(stateDict, `${prefix}.weight`, 4);
  const [outChannels, perGroup, kh, kw] = weight.shape as [number, number, number, number];
  if (inChannels % perGroup !== 0) {
    throw new CheckpointFormatError(`weight "${prefix}.weight" takes ${perGroup} channels per group, which does not divide the ${inChannels} input channels`);
  }
  const group = inChannels / perGroup;
  const inputs = [input, builder.floatTensor(`${prefix}.weight`, weight.shape, floatData(weight, `${prefix}.weight`))];
  const bias = stateDict.get(`${prefix}.bias`);
  if (bias !== undefined) {
    if (bias.shape.length !== 1 || bias.shape[0] !== outChannels) throw new CheckpointFormatError(`bias "${prefix}.bias" does not match its weight`);
    inputs.push(builder.floatTensor(`${prefix}.bias`, bias.shape, floatData(bias, `${prefix}.bias`)));
  }
  const padding = options.padding ?? 0;
  const stride = options.stride ?? 1;
  const output = builder.op('Conv', inputs, [
    attrInts('kernel_shape', [kh, kw]),
    attrInts('pads', [padding, padding, padding, padding]),
    attrInts('strides', [stride, stride]),
    attrI('group', group),
  ], prefix);
  return { output, channels: outChannels };
}

/** nn.ReflectionPad2d(padding) on an NCHW value; no node for 0. */
export function reflectionPad(builder: OnnxGraphBuilder, input: string, padding: number): string {
  if (padding === 0) return input;
  const pads = builder.int64Tensor('pads', [0, 0, padding, padding, 0, 0, padding, padding]);
  return builder.op('Pad', [input, pads], [attrS('mode', 'reflect')], 'reflect_pad');
}

export function leakyRelu(builder: OnnxGraphBuilder, input: string, slope: number): string {
  return builder.op('LeakyRelu', [input], [attrF('alpha', slope)]);
}

/** nn.PReLU(num_parameters=C) from `<key>` of shape [C] (or [1]). */
export function prelu(builder: OnnxGraphBuilder, stateDict: StateDict, key: string, input: string): string {
  const slope = requireTensor(stateDict, key, 1);
  const channels = slope.shape[0] as number;
  return builder.op('PRelu', [input, builder.floatTensor(key, [channels, 1, 1], floatData(slope, key))]);
}

/** F.interpolate(scale_factor=s, mode='nearest'). */
export function upsampleNearest(builder: OnnxGraphBuilder, input: string, scale: number): string {
  const scales = builder.floatTensor('scales', [4], [1, 1, scale, scale]);
  return builder.op('Resize', [input, '', scales], [
    attrS('mode', 'nearest'),
    attrS('coordinate_transformation_mode', 'asymmetric'),
    attrS('nearest_mode', 'floor'),
  ], 'upsample');
}

/** nn.Upsample(scale_factor=s, mode='bilinear', align_corners=False). */
export function upsampleBilinear(builder: OnnxGraphBuilder, input: string, scale: number): string {
  const scales = builder.floatTensor('scales', [4], [1, 1, scale, scale]);
  return builder.op('Resize', [input, '', scales], [
    attrS('mode', 'linear'),
    attrS('coordinate_transformation_mode', 'half_pixel'),
  ], 'upsample');
}

/** nn.PixelShuffle(s): PyTorch's channel order is ONNX DepthToSpace CRD. */
export function pixelShuffle(builder: OnnxGraphBuilder, input: string, scale: number): string {
  return builder.op('DepthToSpace', [input], [attrI('blocksize', scale), attrS('mode', 'CRD')]);
}

/**
 * basicsr's pixel_unshuffle(x, s): output channel c*s*s + i*s + j takes input
 * channel c at offset (i, j). ONNX SpaceToDepth orders it (i*s + j)*C + c, so
 * a constant channel Gather restores PyTorch's order.
 */
export function pixelUnshuffle(builder: OnnxGraphBuilder, input: string, scale: number, channels: number): string {
  const spaced = builder.op('SpaceToDepth', [input], [attrI('blocksize', scale)]);
  const blocks = scale * scale;
  const order = Array.from({ length: channels * blocks }, (_, k) => (k % blocks) * channels + Math.floor(k / blocks));
  return builder.op('Gather', [spaced, builder.int64Tensor('unshuffle_order', order)], [attrI('axis', 1)], 'unshuffle');
}

export function add(builder: OnnxGraphBuilder, a: string, b: string): string {
  return builder.op('Add', [a, b]);
}

export function mul(builder: OnnxGraphBuilder, a: string, b: string): string {
  return builder.op('Mul', [a, b]);
}

export function scaleBy(builder: OnnxGraphBuilder, input: string, factor: number): string {
  return builder.op('Mul', [input, builder.scalar(factor, 'factor')]);
}

/** Integer indices of keys `<prefix><n><suffix>`, sorted. */
export function indicesOf(keys: Iterable<string>, pattern: RegExp): number[] {
  const found = new Set<number>();
  for (const key of keys) {
    const match = pattern.exec(key);
    if (match?.[1] !== undefined) found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}
