// Real-ESRGAN's SRVGGNetCompact (realesr-general-x4v3, realesr-animevideov3
// and community "compact" models): body.0 conv, then (PReLU, conv) pairs, the
// last conv producing out_ch * scale^2 channels, PixelShuffle, plus the input
// upsampled by nearest neighbour. Values pass through in 0..1.
import { CONVERTED_OPSET, OnnxGraphBuilder } from '../onnx-graph-builder.ts';
import type { ArchitectureDefinition, BuiltModel, NamedStateDict } from './architecture.ts';
import { CONVERTED_PRODUCER, PYTORCH_ARCHITECTURES } from './architecture.ts';
import { UnknownArchitectureError } from './pytorch-errors.ts';
import { conv2d, indicesOf, pixelShuffle, prelu, upsampleNearest } from './torch-graph-ops.ts';
import type { StateDict } from './state-tensor.ts';

const BODY_KEY = /^body\.(\d+)\.weight$/;

function single(dicts: readonly NamedStateDict[]): StateDict | undefined {
  return dicts.length === 1 ? dicts[0]?.stateDict : undefined;
}

export const srvggCompact: ArchitectureDefinition = {
  id: 'srvgg-compact',

  matches(dicts) {
    const stateDict = single(dicts);
    if (stateDict === undefined) return false;
    const keys = [...stateDict.keys()];
    if (!keys.every((key) => /^body\.\d+\.(weight|bias)$/.test(key))) return false;
    return stateDict.get('body.0.weight')?.shape.length === 4 && indicesOf(keys, BODY_KEY).length >= 3;
  },

  build(dicts): BuiltModel {
    const stateDict = single(dicts) as StateDict;
    const indices = indicesOf(stateDict.keys(), BODY_KEY);
    const rankOf = (index: number): number => stateDict.get(`body.${index}.weight`)?.shape.length ?? 0;
    const convs = indices.filter((index) => rankOf(index) === 4);
    const activations = indices.filter((index) => rankOf(index) === 1);
    if (activations.length !== convs.length - 1) {
      throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, 'SRVGGNetCompact with ReLU or LeakyReLU activations stores no activation weights, so its activation cannot be told from the file; only the PReLU variant (the Real-ESRGAN default) is supported.', `This SRVGGNetCompact has ${convs.length} convolutions but ${activations.length} PReLU layers`);
    }
    const first = stateDict.get('body.0.weight');
    const inChannels = first?.shape[1] as number;
    const lastConv = stateDict.get(`body.${convs[convs.length - 1] as number}.weight`);
    const outChannelsTotal = lastConv?.shape[0] as number;
    const scale = Math.round(Math.sqrt(outChannelsTotal / inChannels));
    if (scale < 1 || scale * scale * inChannels !== outChannelsTotal) {
      throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, `The last convolution has ${outChannelsTotal} outputs for ${inChannels} input channels, which is not channels * scale^2.`, 'This SRVGGNetCompact has an unexpected output layer');
    }

    const builder = new OnnxGraphBuilder();
    builder.reserve('input');
    builder.reserve('output');
    let value = 'input';
    let channels = inChannels;
    for (const index of indices) {
      if (rankOf(index) === 4) {
        const kernel = stateDict.get(`body.${index}.weight`)?.shape[2] as number;
        ({ output: value, channels } = conv2d(builder, stateDict, `body.${index}`, value, channels, { padding: Math.floor(kernel / 2) }));
      } else {
        value = prelu(builder, stateDict, `body.${index}.weight`, value);
      }
    }
    const shuffled = pixelShuffle(builder, value, scale);
    const base = upsampleNearest(builder, 'input', scale);
    builder.opInto('Add', [shuffled, base], ['output']);
    const onnx = builder.encode(
      [{ name: 'input', dims: ['N', inChannels, 'H', 'W'] }],
      [{ name: 'output', dims: ['N', inChannels, 'OH', 'OW'] }],
      'srvgg-compact',
      `${CONVERTED_PRODUCER} opset ${CONVERTED_OPSET}`,
    );
    return {
      onnx,
      architecture: 'srvgg-compact',
      scale,
      task: 'super-resolution',
      details: { num_in_ch: inChannels, num_feat: first?.shape[0] as number, num_conv: convs.length - 2, upscale: scale },
    };
  },
};
