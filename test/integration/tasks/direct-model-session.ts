// A ModelSession over an onnxruntime-node InferenceSession on this thread:
// the real runtime and model, without the worker, so task tests do not depend
// on the backend under construction. Only for float32 graphs.
import * as ort from 'onnxruntime-node';
import type { ModelSession } from '../../../engine/inference/inference-backend.ts';
import type { TensorData, TensorMap } from '../../../engine/inference/tensor.ts';

export async function openDirectSession(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, { intraOpNumThreads: 2, executionProviders: ['cpu'] });
}

/** Runs the graph once on a float32 NCHW tensor; returns its single output. */
export async function runDirect(session: ort.InferenceSession, tile: TensorData): Promise<TensorData> {
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', tile.data as Float32Array, tile.dims) };
  const result = await session.run(feeds);
  const output = result[session.outputNames[0]];
  return { dtype: 'float32', dims: [...output.dims], data: output.data as Float32Array };
}

export class DirectModelSession implements ModelSession {
  readonly modelId: string;
  readonly report = { chosen: 'cpu' as const, attempts: [{ provider: 'cpu' as const }], precision: 'fp32' as const };
  runs = 0;
  released = false;
  private readonly session: ort.InferenceSession;

  constructor(modelId: string, session: ort.InferenceSession) {
    this.modelId = modelId;
    this.session = session;
  }

  async run(inputs: TensorMap): Promise<TensorMap> {
    this.runs += 1;
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', tensor.data as Float32Array, tensor.dims);
    const result = await this.session.run(feeds);
    const outputs: TensorMap = {};
    for (const [name, tensor] of Object.entries(result)) {
      outputs[name] = { dtype: 'float32', dims: [...tensor.dims], data: tensor.data as Float32Array };
    }
    return outputs;
  }

  async release(): Promise<void> {
    this.released = true;
  }
}
