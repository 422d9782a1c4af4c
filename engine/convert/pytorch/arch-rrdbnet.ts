// ESRGAN / Real-ESRGAN RRDBNet, from either key layout: basicsr's
// (conv_first, body.N.rdbK.convM, conv_body, conv_upN, conv_hr, conv_last)
// or the original ESRGAN one (model.0, model.1.sub.N.RDBK.convM.0, then the
// upsampling convs, HR conv and last conv at increasing model.K). num_block,
// num_feat and num_grow_ch come from the weights. Each conv_up is a nearest
// x2; x2 and x1 models (Real-ESRGAN) first pixel-unshuffle the input by 2 or
// 4, which shows as conv_first taking 4x or 16x the output channels.
import { CONVERTED_OPSET, OnnxGraphBuilder } from '../onnx-graph-builder.ts';
import type { ArchitectureDefinition, BuiltModel, NamedStateDict } from './architecture.ts';
import { CONVERTED_PRODUCER, PYTORCH_ARCHITECTURES } from './architecture.ts';
import { UnknownArchitectureError } from './pytorch-errors.ts';
import type { StateDict } from './state-tensor.ts';
import { add, conv2d, indicesOf, leakyRelu, pixelUnshuffle, requireTensor, scaleBy, upsampleNearest } from './torch-graph-ops.ts';

const SLOPE = 0.2;
const RESIDUAL_SCALE = 0.2;

function single(dicts: readonly NamedStateDict[]): StateDict | undefined {
  return dicts.length === 1 ? dicts[0]?.stateDict : undefined;
}

function isNewLayout(stateDict: StateDict): boolean {
  return stateDict.has('conv_first.weight') && stateDict.has('body.0.rdb1.conv1.weight') && stateDict.has('conv_last.weight');
}

function isOldLayout(stateDict: StateDict): boolean {
  return stateDict.has('model.0.weight') && stateDict.has('model.1.sub.0.RDB1.conv1.0.weight');
}

/** Renames original-ESRGAN keys to basicsr's, so one builder serves both. */
export function esrganKeysToBasicsr(stateDict: StateDict): StateDict {
  const renamed: StateDict = new Map();
  const blocks = indicesOf(stateDict.keys(), /^model\.1\.sub\.(\d+)\.RDB1\.conv1\.0\.weight$/);
  const trunk = indicesOf(stateDict.keys(), /^model\.1\.sub\.(\d+)\.weight$/).find((index) => !blocks.includes(index));
  const tail = indicesOf(stateDict.keys(), /^model\.(\d+)\.weight$/).filter((index) => index >= 2);
  if (trunk === undefined || tail.length < 2) {
    throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, 'Old-style ESRGAN keys need model.1.sub.<N>.weight (the trunk conv) and at least two convs after model.1.', 'This ESRGAN checkpoint is incomplete');
  }
  const tailNames = new Map<number, string>();
  tail.forEach((index, i) => {
    const fromEnd = tail.length - i;
    tailNames.set(index, fromEnd === 1 ? 'conv_last' : fromEnd === 2 ? 'conv_hr' : `conv_up${i + 1}`);
  });
  for (const [key, tensor] of stateDict) {
    let match = /^model\.0\.(weight|bias)$/.exec(key);
    if (match) { renamed.set(`conv_first.${match[1]}`, tensor); continue; }
    match = /^model\.1\.sub\.(\d+)\.RDB(\d)\.conv(\d)\.0\.(weight|bias)$/.exec(key);
    if (match) { renamed.set(`body.${match[1]}.rdb${match[2]}.conv${match[3]}.${match[4]}`, tensor); continue; }
    match = /^model\.1\.sub\.(\d+)\.(weight|bias)$/.exec(key);
    if (match && Number(match[1]) === trunk) { renamed.set(`conv_body.${match[2]}`, tensor); continue; }
    match = /^model\.(\d+)\.(weight|bias)$/.exec(key);
    const name = match ? tailNames.get(Number(match[1])) : undefined;
    if (match && name !== undefined) renamed.set(`${name}.${match[2]}`, tensor);
  }
  return renamed;
}

function residualDenseBlock(builder: OnnxGraphBuilder, stateDict: StateDict, prefix: string, input: string, features: number): string {
  const parts = [input];
  let channels = features;
  for (let index = 1; index <= 4; index += 1) {
    const joined = parts.length === 1 ? input : builder.op('Concat', parts, [{ name: 'axis', i: 1 }]);
    const conv = conv2d(builder, stateDict, `${prefix}.conv${index}`, joined, channels, { padding: 1 });
    parts.push(leakyRelu(builder, conv.output, SLOPE));
    channels += conv.channels;
  }
  const last = conv2d(builder, stateDict, `${prefix}.conv5`, builder.op('Concat', parts, [{ name: 'axis', i: 1 }]), channels, { padding: 1 });
  return add(builder, scaleBy(builder, last.output, RESIDUAL_SCALE), input);
}

export const rrdbNet: ArchitectureDefinition = {
  id: 'rrdbnet',

  matches(dicts) {
    const stateDict = single(dicts);
    return stateDict !== undefined && (isNewLayout(stateDict) || isOldLayout(stateDict));
  },

  build(dicts): BuiltModel {
    const original = single(dicts) as StateDict;
    const layout = isNewLayout(original) ? 'basicsr' : 'esrgan';
    const stateDict = layout === 'basicsr' ? original : esrganKeysToBasicsr(original);
    const first = requireTensor(stateDict, 'conv_first.weight', 4);
    const last = requireTensor(stateDict, 'conv_last.weight', 4);
    const features = first.shape[0] as number;
    const firstInputs = first.shape[1] as number;
    const outChannels = last.shape[0] as number;
    const blocks = indicesOf(stateDict.keys(), /^body\.(\d+)\.rdb1\.conv1\.weight$/);
    const ups = indicesOf(stateDict.keys(), /^conv_up(\d+)\.weight$/);
    const unshuffle = Math.round(Math.sqrt(firstInputs / outChannels));
    if (![1, 2, 4].includes(unshuffle) || unshuffle * unshuffle * outChannels !== firstInputs) {
      throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, `conv_first takes ${firstInputs} channels and conv_last gives ${outChannels}; RRDBNet expects 1, 4 or 16 times as many.`, 'This RRDBNet has an unexpected first layer');
    }
    const upscale = 2 ** ups.length / unshuffle;
    if (!Number.isInteger(upscale)) {
      throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, `${ups.length} upsampling convs with a pixel-unshuffle by ${unshuffle} give no integer scale.`, 'This RRDBNet has an unexpected upsampler');
    }

    const builder = new OnnxGraphBuilder();
    builder.reserve('input');
    builder.reserve('output');
    const inChannels = firstInputs / (unshuffle * unshuffle);
    const input = unshuffle === 1 ? 'input' : pixelUnshuffle(builder, 'input', unshuffle, inChannels);
    const feat = conv2d(builder, stateDict, 'conv_first', input, firstInputs, { padding: 1 }).output;
    let trunk = feat;
    for (const block of blocks) {
      const blockInput = trunk;
      let value = trunk;
      for (const rdb of [1, 2, 3]) value = residualDenseBlock(builder, stateDict, `body.${block}.rdb${rdb}`, value, features);
      trunk = add(builder, scaleBy(builder, value, RESIDUAL_SCALE), blockInput);
    }
    let value = add(builder, feat, conv2d(builder, stateDict, 'conv_body', trunk, features, { padding: 1 }).output);
    let channels = features;
    for (const up of ups) {
      const conv = conv2d(builder, stateDict, `conv_up${up}`, upsampleNearest(builder, value, 2), channels, { padding: 1 });
      value = leakyRelu(builder, conv.output, SLOPE);
      channels = conv.channels;
    }
    const hr = conv2d(builder, stateDict, 'conv_hr', value, channels, { padding: 1 });
    const out = conv2d(builder, stateDict, 'conv_last', leakyRelu(builder, hr.output, SLOPE), hr.channels, { padding: 1 });
    builder.opInto('Identity', [out.output], ['output']);
    const onnx = builder.encode(
      [{ name: 'input', dims: ['N', inChannels, 'H', 'W'] }],
      [{ name: 'output', dims: ['N', outChannels, 'OH', 'OW'] }],
      'rrdbnet',
      `${CONVERTED_PRODUCER} opset ${CONVERTED_OPSET}`,
    );
    return {
      onnx,
      architecture: 'rrdbnet',
      scale: upscale,
      task: 'super-resolution',
      details: { layout, num_in_ch: inChannels, num_out_ch: outChannels, num_feat: features, num_block: blocks.length, num_grow_ch: requireTensor(stateDict, 'body.0.rdb1.conv1.weight').shape[0] as number, scale: upscale },
    };
  },
};
