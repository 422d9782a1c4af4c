// Maps the weights of a reference ONNX file back to a PyTorch state dict, so
// tests can write real checkpoints (with checkpoint-writer) of networks that
// ../shared has only as ONNX. Used by the PyTorch converter tests and by the
// store's import test.
import { readFile } from 'node:fs/promises';
import { decodeModel, int64ToNumber, type TensorProto } from '../../engine/onnx/onnx-file.ts';
import type { WriterTensor } from '../unit/convert-pytorch/checkpoint-writer.ts';

export interface OnnxWeights {
  /** float32 initializers by name. */
  byName: Map<string, WriterTensor>;
  nodes: { opType: string; input: string[] }[];
}

/** The float32 initializers of an ONNX file by name, and its nodes in order. */
export async function onnxInitializers(file: string): Promise<OnnxWeights> {
  const model = decodeModel(await readFile(file));
  const byName = new Map<string, WriterTensor>();
  for (const tensor of model.graph?.initializer ?? ([] as TensorProto[])) {
    if (tensor.dataType !== 1) continue;
    const raw = tensor.rawData;
    // rawData is a Node Buffer, whose slice() is a view: copy to own the bytes.
    const values = raw !== undefined && raw !== null && raw.length > 0 ? new Float32Array(Uint8Array.from(raw).buffer) : Float32Array.from(tensor.floatData ?? []);
    byName.set(tensor.name ?? '', { dtype: 'float32', shape: (tensor.dims ?? []).map((d) => int64ToNumber(d as number)), values });
  }
  const nodes = (model.graph?.node ?? []).map((node) => ({ opType: node.opType ?? '', input: [...(node.input ?? [])] }));
  return { byName, nodes };
}

/**
 * SRVGGNetCompact's state dict (`body.N.weight/bias`, PReLU slopes as
 * `body.N.weight` of shape [C]) from an ONNX export of it; returns the dict
 * and how many body entries it has (35 for 16 convolutions).
 */
export async function srvggStateDictFromOnnx(file: string): Promise<{ stateDict: Map<string, WriterTensor>; layers: number }> {
  const { byName, nodes } = await onnxInitializers(file);
  const stateDict = new Map<string, WriterTensor>();
  let index = 0;
  for (const node of nodes) {
    if (node.opType === 'Conv') {
      stateDict.set(`body.${index}.weight`, byName.get(node.input[1] as string) as WriterTensor);
      stateDict.set(`body.${index}.bias`, byName.get(node.input[2] as string) as WriterTensor);
      index += 1;
    } else if (node.opType === 'PRelu') {
      const slope = byName.get(node.input[1] as string) as WriterTensor;
      stateDict.set(`body.${index}.weight`, { ...slope, shape: [slope.values.length] });
      index += 1;
    }
  }
  return { stateDict, layers: index };
}
