import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { ELEMENT_TYPE, encodeModel, onnx, type GraphProto, type ModelProto } from '../../../engine/onnx/onnx-file.ts';
import {
  accumulateRange,
  activationParameters,
  calibrationTargets,
  quantizeConvolutions,
  quantizeWeightsPerChannel,
  withObservedOutputs,
  type TensorRange,
} from '../../../engine/onnx/quantize-int8.ts';

/** x -> Conv(3->4, 3x3, pad 1, bias) -> LeakyRelu -> Conv(4->2, 1x1) -> Relu -> y, with deterministic weights. */
/** `ending`: what reads conv2's output: a Relu (quantizable), the graph output, or a DepthToSpace. */
function twoConvModel(ending: 'relu' | 'output' | 'DepthToSpace' = 'relu'): ModelProto {
  const tail = {
    relu: [{ opType: 'Conv', input: ['r1', 'w2'], output: ['c2'], name: 'conv2' }, { opType: 'Relu', input: ['c2'], output: ['y'], name: 'relu2' }],
    output: [{ opType: 'Conv', input: ['r1', 'w2'], output: ['y'], name: 'conv2' }],
    DepthToSpace: [
      { opType: 'Conv', input: ['r1', 'w2'], output: ['c2'], name: 'conv2' },
      { opType: 'DepthToSpace', input: ['c2'], output: ['y'], name: 'shuffle', attribute: [{ name: 'blocksize', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ],
  }[ending];
  const weights = (count: number, seed: number): Float32Array => Float32Array.from({ length: count }, (_, index) => Math.sin(index * 1.7 + seed) * 0.5);
  const float = (name: string, dims: number[], values: Float32Array) => ({ name, dataType: ELEMENT_TYPE.FLOAT, dims, rawData: new Uint8Array(values.buffer) });
  const pads = { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] };
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'two-conv',
      node: [
        { opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['c1'], name: 'conv1', attribute: [pads] },
        { opType: 'LeakyRelu', input: ['c1'], output: ['r1'], name: 'relu1', attribute: [{ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 0.2 }] },
        ...tail,
      ],
      initializer: [float('w1', [4, 3, 3, 3], weights(108, 1)), float('b1', [4], weights(4, 2)), float('w2', [2, 4, 1, 1], weights(8, 3))],
      input: [{ name: 'x', type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT, shape: { dim: [1, 3, 16, 16].map((dimValue) => ({ dimValue })) } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT } } }],
    },
  });
}

function input(seed: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from({ length: 3 * 16 * 16 }, (_, index) => (Math.sin(index * 0.37 + seed) + 1) / 2), [1, 3, 16, 16]);
}

async function runAll(model: ModelProto, x: ort.Tensor): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1 });
  try {
    const results = await session.run({ x });
    return Object.fromEntries(Object.entries(results).map(([name, tensor]) => [name, tensor.data as Float32Array]));
  } finally {
    await session.release();
  }
}

describe('int8 weights per output channel', () => {
  it('keeps every weight within half a step of its channel scale, with |q| <= 127 and the peak at 127', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { minLength: 72, maxLength: 72 }),
      (channels, perChannel, pool) => {
        const values = Float32Array.from({ length: channels * perChannel }, (_, index) => pool[index % pool.length] as number);
        const { quantized, scales } = quantizeWeightsPerChannel(values, channels);
        for (let channel = 0; channel < channels; channel += 1) {
          const scale = scales[channel] as number;
          let peak = 0;
          for (let index = channel * perChannel; index < (channel + 1) * perChannel; index += 1) {
            const q = quantized[index] as number;
            expect(Math.abs(q)).toBeLessThanOrEqual(127);
            expect(Math.abs(q * scale - (values[index] as number))).toBeLessThanOrEqual(scale / 2 + 1e-6 * Math.abs(values[index] as number));
            peak = Math.max(peak, Math.abs(q));
          }
          if (scale !== 1 || peak !== 0) expect(peak).toBe(127);
        }
      },
    ));
  });

  it('refuses weights that do not split into the channels', () => {
    expect(() => quantizeWeightsPerChannel(new Float32Array(10), 3)).toThrow(/do not split into 3/);
  });
});

describe('uint8 activation parameters', () => {
  it('cover the range, hold zero exactly, and stay in 0..255', () => {
    fc.assert(fc.property(fc.float({ min: -50, max: 50, noNaN: true }), fc.float({ min: -50, max: 50, noNaN: true }), (a, b) => {
      const range = { min: Math.min(a, b), max: Math.max(a, b) };
      const { scale, zeroPoint } = activationParameters(range);
      expect(Number.isInteger(zeroPoint) && zeroPoint >= 0 && zeroPoint <= 255).toBe(true);
      expect(scale).toBeGreaterThan(0);
      const low = (0 - zeroPoint) * scale;
      const high = (255 - zeroPoint) * scale;
      expect(low).toBeLessThanOrEqual(Math.min(0, range.min) + scale);
      expect(high).toBeGreaterThanOrEqual(Math.max(0, range.max) - scale);
    }));
  });

  it('refuses a range that is not finite', () => {
    expect(() => activationParameters({ min: -Infinity, max: 1 })).toThrow(/not finite/);
  });
});

describe('QDQ graph around convolutions', () => {
  it('names each Conv input and output for calibration, observes them, and runs close to fp32 once quantized', async () => {
    const model = twoConvModel();
    const targets = calibrationTargets(model);
    expect(targets.sort()).toEqual(['c1', 'c2', 'r1', 'x']);
    const ranges = new Map<string, TensorRange>();
    for (const seed of [1, 2, 3]) {
      const observed = await runAll(withObservedOutputs(model, targets), input(seed));
      for (const name of targets) accumulateRange(ranges, name, observed[name] as Float32Array);
    }
    const reference = (await runAll(model, input(7))).y as Float32Array;
    const report = quantizeConvolutions(model, ranges);
    expect(report).toEqual({ convolutions: 2, activations: 4 });
    const graph = model.graph as GraphProto;
    const ops = (graph.node ?? []).map((node) => node.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear')).toHaveLength(4);
    expect(ops.filter((op) => op === 'DequantizeLinear')).toHaveLength(4 + 2 + 1);
    expect((graph.initializer ?? []).some((tensor) => tensor.name === 'w1')).toBe(false);
    const quantized = (await runAll(model, input(7))).y as Float32Array;
    const yRange = ranges.get('c2') as TensorRange;
    const step = (Math.max(0, yRange.max) - Math.min(0, yRange.min)) / 255;
    let worst = 0;
    for (let index = 0; index < reference.length; index += 1) worst = Math.max(worst, Math.abs((quantized[index] as number) - (reference[index] as number)));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(4 * step);
  });

  it('leaves a Conv that makes the picture (a graph output, or DepthToSpace input) in fp32', () => {
    for (const ending of ['output', 'DepthToSpace'] as const) {
      const model = twoConvModel(ending);
      expect(calibrationTargets(model).sort(), ending).toEqual(['c1', 'x']);
      quantizeConvolutions(model, new Map([['x', { min: 0, max: 1 }], ['c1', { min: -1, max: 1 }]]));
      expect(model.graph?.node?.find((node) => node.name === 'conv2')?.input, ending).toEqual(['r1', 'w2']);
    }
  });

  it('says which tensor lacks a calibration range', () => {
    expect(() => quantizeConvolutions(twoConvModel(), new Map([['x', { min: 0, max: 1 }]]))).toThrow(/No calibration range for tensor "c1"/);
  });
});
