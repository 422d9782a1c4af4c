// Tensors as they cross the worker boundary: plain typed arrays whose buffers
// are transferred, never copied. float16 data travels as raw Uint16Array bits.
import type { TensorDtype } from '../../common/model-manifest.ts';

export interface TensorData {
  dtype: TensorDtype;
  dims: number[];
  data: Float32Array | Uint16Array;
}

export type TensorMap = Record<string, TensorData>;
