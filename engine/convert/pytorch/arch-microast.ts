// MicroAST (Wang et al., AAAI 2023; EndyWon/MicroAST, MIT): arbitrary style
// transfer from four state dicts (content encoder, style encoder, modulator,
// decoder), or one dict whose keys carry the prefixes ce./se./mod./dec..
// Every conv is reflection-padded by kernel/2. Encoders give two feature
// levels; the modulator turns each style level into per-channel (w, b) by a
// depthwise conv and a global average; the decoder blends AdaIN (unbiased
// std, eps 1e-5) with the content by `alpha` before each modulated residual
// block (out = w * conv(x) + b * x), then upsamples bilinearly x2 twice.
// Inputs content/style in 0..1 and alpha [1,1,1,1]; output `stylized`, not clamped.
import { CONVERTED_OPSET, OnnxGraphBuilder, attrI, attrInts } from '../onnx-graph-builder.ts';
import type { ArchitectureDefinition, BuiltModel, NamedStateDict } from './architecture.ts';
import { CONVERTED_PRODUCER, PYTORCH_ARCHITECTURES } from './architecture.ts';
import { UnknownArchitectureError } from './pytorch-errors.ts';
import type { StateDict } from './state-tensor.ts';
import { add, conv2d, mul, reflectionPad, requireTensor, upsampleBilinear } from './torch-graph-ops.ts';

type Part = 'ce' | 'se' | 'mod' | 'dec';

const ENCODER_KEY = 'enc1.0.conv_layer.weight';
const MODULATOR_KEY = 'weight1.0.conv_layer.weight';
const DECODER_KEY = 'dec1.conv1.conv_layer.weight';
const EPSILON = 1e-5;

/** The four parts as prefixed keys in one dict, from separate files or a merged one. */
function assemble(dicts: readonly NamedStateDict[]): StateDict | undefined {
  if (dicts.length === 1) {
    const merged = dicts[0]?.stateDict as StateDict;
    const parts: Part[] = ['ce', 'se', 'mod', 'dec'];
    return parts.every((part) => [...merged.keys()].some((key) => key.startsWith(`${part}.`))) ? merged : undefined;
  }
  if (dicts.length !== 4) return undefined;
  const encoders = dicts.filter((d) => d.stateDict.has(ENCODER_KEY));
  const modulator = dicts.find((d) => d.stateDict.has(MODULATOR_KEY));
  const decoder = dicts.find((d) => d.stateDict.has(DECODER_KEY));
  if (encoders.length !== 2 || modulator === undefined || decoder === undefined) return undefined;
  // The two encoders have the same keys: the file names tell them apart, else the order given.
  const styleFirst = /style/i.test(encoders[0]?.name ?? '') || /content/i.test(encoders[1]?.name ?? '');
  const [content, style] = styleFirst ? [encoders[1], encoders[0]] : [encoders[0], encoders[1]];
  const merged: StateDict = new Map();
  const put = (prefix: Part, source: NamedStateDict | undefined): void => {
    for (const [key, tensor] of source?.stateDict ?? []) merged.set(`${prefix}.${key}`, tensor);
  };
  put('ce', content);
  put('se', style);
  put('mod', modulator);
  put('dec', decoder);
  return merged;
}

class MicroAstGraph {
  readonly builder = new OnnxGraphBuilder();
  constructor(private readonly weights: StateDict) {}

  /** ConvLayer: ReflectionPad2d(k // 2) then Conv2d. */
  convLayer(prefix: string, input: string, channels: number, stride = 1): { output: string; channels: number } {
    const kernel = requireTensor(this.weights, `${prefix}.conv_layer.weight`, 4).shape[2] as number;
    return conv2d(this.builder, this.weights, `${prefix}.conv_layer`, reflectionPad(this.builder, input, Math.floor(kernel / 2)), channels, { stride });
  }

  relu(input: string): string {
    return this.builder.op('Relu', [input]);
  }

  residualBlock(prefix: string, input: string, channels: number, modulation?: { w: string; b: string }): string {
    const first = this.convLayer(`${prefix}.conv1`, input, channels).output;
    const hidden = this.relu(modulation ? add(this.builder, mul(this.builder, modulation.w, first), mul(this.builder, modulation.b, input)) : first);
    const second = this.convLayer(`${prefix}.conv2`, hidden, channels).output;
    const out = modulation ? add(this.builder, mul(this.builder, modulation.w, second), mul(this.builder, modulation.b, hidden)) : second;
    return add(this.builder, input, out);
  }

  /** Encoder: returns (enc1 output, enc2 output), 64 channels at 1/4 size. */
  encoder(prefix: 'ce' | 'se', image: string): [string, string] {
    let value = image;
    let channels = 3;
    for (const [index, stride] of [[0, 1], [2, 2], [4, 1], [6, 2], [8, 1]] as const) {
      const conv = this.convLayer(`${prefix}.enc1.${index}`, value, channels, stride);
      value = this.relu(conv.output);
      channels = conv.channels;
    }
    const level1 = this.residualBlock(`${prefix}.enc1.10`, value, channels);
    return [level1, this.residualBlock(`${prefix}.enc2.0`, level1, channels)];
  }

  /** Modulator head: depthwise ConvLayer then AdaptiveAvgPool2d(1). */
  modulation(name: string, feature: string, channels: number): string {
    return this.builder.op('GlobalAveragePool', [this.convLayer(`mod.${name}.0`, feature, channels).output]);
  }

  /** Per-channel mean and unbiased std (+eps inside the root), as [N,C,1,1]. */
  meanStd(feature: string): { mean: string; std: string } {
    const b = this.builder;
    const mean = b.op('ReduceMean', [feature], [attrInts('axes', [2, 3]), attrI('keepdims', 1)]);
    const centred = b.op('Sub', [feature, mean]);
    const biased = b.op('ReduceMean', [b.op('Mul', [centred, centred])], [attrInts('axes', [2, 3]), attrI('keepdims', 1)]);
    const count = b.op('Cast', [b.op('ReduceProd', [b.op('Shape', [feature], [attrI('start', 2)])], [attrI('keepdims', 0)])], [attrI('to', 1)]);
    const unbiased = b.op('Div', [b.op('Mul', [biased, count]), b.op('Sub', [count, b.scalar(1, 'one')])]);
    return { mean, std: b.op('Sqrt', [b.op('Add', [unbiased, b.scalar(EPSILON, 'eps')])]) };
  }

  /** alpha * AdaIN(content, style) + (1 - alpha) * content. */
  blendedAdain(content: string, style: string, alpha: string, inverseAlpha: string): string {
    const b = this.builder;
    const c = this.meanStd(content);
    const s = this.meanStd(style);
    const normalized = b.op('Div', [b.op('Sub', [content, c.mean]), c.std]);
    const stylized = b.op('Add', [b.op('Mul', [normalized, s.std]), s.mean]);
    return b.op('Add', [b.op('Mul', [alpha, stylized]), b.op('Mul', [inverseAlpha, content])]);
  }

  build(): Uint8Array {
    const b = this.builder;
    for (const name of ['content', 'style', 'alpha', 'stylized']) b.reserve(name);
    const [style1, style2] = this.encoder('se', 'style');
    const channels = requireTensor(this.weights, 'se.enc2.0.conv2.conv_layer.weight', 4).shape[0] as number;
    const w1 = this.modulation('weight1', style1, channels);
    const b1 = this.modulation('bias1', style1, channels);
    const w2 = this.modulation('weight2', style2, channels);
    const b2 = this.modulation('bias2', style2, channels);
    const [, content2] = this.encoder('ce', 'content');
    const inverseAlpha = b.op('Sub', [b.scalar(1, 'one'), 'alpha']);

    let value = this.blendedAdain(content2, style2, 'alpha', inverseAlpha);
    value = this.residualBlock('dec.dec1', value, channels, { w: w2, b: b2 });
    value = this.blendedAdain(value, style1, 'alpha', inverseAlpha);
    value = this.residualBlock('dec.dec2', value, channels, { w: w1, b: b1 });

    let decoded = channels;
    for (const [index, upsample] of [[1, true], [3, false], [6, true], [8, false]] as const) {
      const conv = this.convLayer(`dec.dec3.${index}`, upsample ? upsampleBilinear(b, value, 2) : value, decoded);
      value = this.relu(conv.output);
      decoded = conv.channels;
    }
    const out = this.convLayer('dec.dec3.10', value, decoded).output;
    b.opInto('Identity', [out], ['stylized']);
    return b.encode(
      [
        { name: 'content', dims: [1, 3, 'h', 'w'] },
        { name: 'style', dims: [1, 3, 'sh', 'sw'] },
        { name: 'alpha', dims: [1, 1, 1, 1] },
      ],
      [{ name: 'stylized', dims: [1, 3, 'h', 'w'] }],
      'microast',
      `${CONVERTED_PRODUCER} opset ${CONVERTED_OPSET}`,
    );
  }
}

export const microAst: ArchitectureDefinition = {
  id: 'microast',

  matches(dicts) {
    return assemble(dicts) !== undefined;
  },

  build(dicts): BuiltModel {
    const weights = assemble(dicts);
    if (weights === undefined) {
      throw new UnknownArchitectureError(PYTORCH_ARCHITECTURES, 'MicroAST needs its four files together: content encoder, style encoder, modulator and decoder.', 'These files are not a complete MicroAST');
    }
    return { onnx: new MicroAstGraph(weights).build(), architecture: 'microast', scale: 1, task: 'style-arbitrary', details: { parts: 4 } };
  },
};
