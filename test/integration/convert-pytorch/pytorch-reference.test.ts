// Converted PyTorch checkpoints against the ready ONNX files, in the real
// onnxruntime, tolerance 1e-4. MicroAST uses its four real legacy torch.save
// files. For the SR networks no .pth is in ../shared, so each reference
// ONNX's initializers are mapped back to the PyTorch key layout, written here
// as a torch.save zip (Real-ESRGAN's params_ema wrapper) or legacy file, and
// converted: the whole path from checkpoint bytes to ONNX output is checked.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertPytorchToOnnx } from '../../../engine/convert/pytorch/pytorch-to-onnx.ts';
import { onnxInitializers, srvggStateDictFromOnnx } from '../../helpers/onnx-state-dict.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import type { WriterTensor } from '../../unit/convert-pytorch/checkpoint-writer.ts';
import { safetensors, torchLegacy, torchZip } from '../../unit/convert-pytorch/checkpoint-writer.ts';
import { maxAbsTensorDifference, runOnnxOnce } from '../../helpers/direct-onnx.ts';

const TOLERANCE = 1e-4;

function image(height: number, width: number, phase: number): ort.Tensor {
  const data = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c += 1) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        data[(c * height + y) * width + x] = 0.5 + 0.25 * Math.sin((x + phase) / 3 + c) + 0.25 * Math.cos((y - phase) / 5 - c);
      }
    }
  }
  return new ort.Tensor('float32', data, [1, 3, height, width]);
}

describe('PyTorch checkpoints converted to ONNX match the reference models', () => {
  const microast = {
    content: modelAsset('pytorch/microast/content_encoder_iter_160000.pth.tar'),
    style: modelAsset('pytorch/microast/style_encoder_iter_160000.pth.tar'),
    modulator: modelAsset('pytorch/microast/modulator_iter_160000.pth.tar'),
    decoder: modelAsset('pytorch/microast/decoder_iter_160000.pth.tar'),
    reference: modelAsset('onnx/style-arbitrary/microast.onnx'),
  };
  it.skipIf(Object.values(microast).some((p) => p === undefined))('MicroAST: four legacy files -> one ONNX equal to microast.onnx', async () => {
    // Deliberately out of order: the file names, not the order, pick the encoders.
    const converted = await convertPytorchToOnnx({
      files: [microast.decoder, microast.style, microast.modulator, microast.content] as string[],
    });
    expect(converted).toMatchObject({ architecture: 'microast', task: 'style-arbitrary', scale: 1, formats: ['torch-legacy', 'torch-legacy', 'torch-legacy', 'torch-legacy'] });
    const feeds = { content: image(64, 48, 0), style: image(40, 56, 13), alpha: new ort.Tensor('float32', new Float32Array([0.7]), [1, 1, 1, 1]) };
    const ours = await runOnnxOnce(converted.onnx, feeds);
    const reference = await runOnnxOnce(microast.reference as string, feeds);
    const diff = maxAbsTensorDifference(ours, reference);
    process.stdout.write(`microast max abs diff ${diff}\n`);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
    // The style input matters: another style image moves the output far more than the tolerance.
    const otherStyle = await runOnnxOnce(converted.onnx, { ...feeds, style: image(40, 56, 2) });
    expect(maxAbsTensorDifference(ours, otherStyle)).toBeGreaterThan(0.05);
  });

  const animevideo = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
  it.skipIf(animevideo === undefined)('SRVGGNetCompact (realesr-animevideov3 x4) from a params_ema zip checkpoint', async () => {
    const { stateDict, layers } = await srvggStateDictFromOnnx(animevideo as string);
    expect(layers).toBe(35);
    const converted = await convertPytorchToOnnx({ files: torchZip(stateDict, { wrapper: 'params_ema' }) });
    expect(converted).toMatchObject({ architecture: 'srvgg-compact', task: 'super-resolution', scale: 4, details: { num_feat: 64, num_conv: 16 } });
    const feeds = { input: image(32, 32, 3) };
    const diff = maxAbsTensorDifference(await runOnnxOnce(converted.onnx, feeds), await runOnnxOnce(animevideo as string, feeds));
    process.stdout.write(`srvgg-compact max abs diff ${diff}\n`);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
    // The comparison can fail: a 10% change of one bias shows far above the tolerance.
    const bias = stateDict.get('body.34.bias') as WriterTensor;
    stateDict.set('body.34.bias', { ...bias, values: Array.from(bias.values, (v) => v * 1.1 + 0.01) });
    const perturbed = await convertPytorchToOnnx({ files: torchZip(stateDict) });
    expect(maxAbsTensorDifference(await runOnnxOnce(perturbed.onnx, feeds), await runOnnxOnce(animevideo as string, feeds))).toBeGreaterThan(1e-3);
  });

  const anime = modelAsset('onnx/super-resolution/realesrgan-x4plus-anime.onnx');
  it.skipIf(anime === undefined)('RRDBNet (realesrgan-x4plus-anime, 6 blocks) from basicsr keys and from old ESRGAN keys', async () => {
    const { byName, nodes } = await onnxInitializers(anime as string);
    const convs = nodes.filter((node) => node.opType === 'Conv');
    const blocks = (convs.length - 6) / 15;
    expect(blocks).toBe(6);
    const newNames = ['conv_first'];
    const oldNames = ['model.0'];
    for (let b = 0; b < blocks; b += 1) {
      for (let r = 1; r <= 3; r += 1) {
        for (let c = 1; c <= 5; c += 1) {
          newNames.push(`body.${b}.rdb${r}.conv${c}`);
          oldNames.push(`model.1.sub.${b}.RDB${r}.conv${c}.0`);
        }
      }
    }
    newNames.push('conv_body', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last');
    oldNames.push(`model.1.sub.${blocks}`, 'model.3', 'model.6', 'model.8', 'model.10');
    const dictWith = (names: string[]): Map<string, WriterTensor> => {
      const dict = new Map<string, WriterTensor>();
      convs.forEach((node, i) => {
        dict.set(`${names[i] as string}.weight`, byName.get(node.input[1] as string) as WriterTensor);
        dict.set(`${names[i] as string}.bias`, byName.get(node.input[2] as string) as WriterTensor);
      });
      return dict;
    };
    const feeds = { input: image(32, 32, 5) };
    const reference = await runOnnxOnce(anime as string, feeds);

    const fromNew = await convertPytorchToOnnx({ files: torchZip(dictWith(newNames), { wrapper: 'params_ema' }) });
    expect(fromNew).toMatchObject({ architecture: 'rrdbnet', scale: 4, details: { layout: 'basicsr', num_block: 6, num_feat: 64, num_grow_ch: 32 } });
    const diffNew = maxAbsTensorDifference(await runOnnxOnce(fromNew.onnx, feeds), reference);
    process.stdout.write(`rrdbnet (basicsr keys) max abs diff ${diffNew}\n`);
    expect(diffNew).toBeLessThanOrEqual(TOLERANCE);

    const fromOld = await convertPytorchToOnnx({ files: torchLegacy(dictWith(oldNames)), architecture: 'rrdbnet' });
    expect(fromOld).toMatchObject({ architecture: 'rrdbnet', scale: 4, details: { layout: 'esrgan', num_block: 6 } });
    const diffOld = maxAbsTensorDifference(await runOnnxOnce(fromOld.onnx, feeds), reference);
    process.stdout.write(`rrdbnet (ESRGAN keys) max abs diff ${diffOld}\n`);
    expect(diffOld).toBeLessThanOrEqual(TOLERANCE);
  });

  it.skipIf(anime === undefined)('RRDBNet x2 and x1 (pixel-unshuffle) give the right output size; safetensors input', async () => {
    const { byName, nodes } = await onnxInitializers(anime as string);
    const convs = nodes.filter((node) => node.opType === 'Conv');
    // One block of the real weights; conv_first widened for the unshuffled input.
    for (const [scale, factor] of [[2, 2], [1, 4]] as const) {
      const dict = new Map<string, WriterTensor>();
      const take = (name: string, node: { input: string[] } | undefined): void => {
        dict.set(`${name}.weight`, byName.get(node?.input[1] as string) as WriterTensor);
        dict.set(`${name}.bias`, byName.get(node?.input[2] as string) as WriterTensor);
      };
      const first = byName.get(convs[0]?.input[1] as string) as WriterTensor;
      const blocks = factor * factor;
      const widened = new Float32Array(64 * 3 * blocks * 9);
      for (let o = 0; o < 64; o += 1) {
        for (let i = 0; i < 3 * blocks; i += 1) {
          for (let k = 0; k < 9; k += 1) widened[(o * 3 * blocks + i) * 9 + k] = (first.values[(o * 3 + Math.floor(i / blocks)) * 9 + k] as number) / blocks;
        }
      }
      dict.set('conv_first.weight', { dtype: 'float32', shape: [64, 3 * blocks, 3, 3], values: widened });
      dict.set('conv_first.bias', byName.get(convs[0]?.input[2] as string) as WriterTensor);
      for (let r = 1; r <= 3; r += 1) for (let c = 1; c <= 5; c += 1) take(`body.0.rdb${r}.conv${c}`, convs[(r - 1) * 5 + c]);
      const tail = convs.slice(-5);
      ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last'].forEach((name, i) => take(name, tail[i]));
      const converted = await convertPytorchToOnnx({ files: safetensors(dict) });
      expect(converted).toMatchObject({ architecture: 'rrdbnet', scale, formats: ['safetensors'] });
      const output = await runOnnxOnce(converted.onnx, { input: image(32, 32, 1) });
      expect(output.dims).toEqual([1, 3, 32 * scale, 32 * scale]);
      expect(Array.from(output.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
  });

  it('cancellation before conversion throws CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    const bytes = torchZip(new Map([['body.0.weight', { dtype: 'float32', shape: [1, 1, 1, 1], values: [1] }]]));
    await expect(convertPytorchToOnnx({ files: bytes, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
