// What every architecture builder offers: a test on the state dicts' keys and
// shapes, and a build into ONNX bytes with the task and scale it found.
import type { ModelTask } from '../../../common/model-manifest.ts';
import type { StateDict } from './state-tensor.ts';

export const PYTORCH_ARCHITECTURES = ['srvgg-compact', 'rrdbnet', 'microast'] as const;
export type PytorchArchitecture = (typeof PYTORCH_ARCHITECTURES)[number];

/** A state dict and where it came from (the file name tells MicroAST's encoders apart). */
export interface NamedStateDict {
  name: string;
  stateDict: StateDict;
}

export interface BuiltModel {
  onnx: Uint8Array;
  architecture: PytorchArchitecture;
  /** Output size / input size; 1 for style transfer. */
  scale: number;
  task: ModelTask;
  /** Hyper-parameters read from the weights (num_feat, num_block ...), for logs and manifests. */
  details: Record<string, number | string>;
}

export interface ArchitectureDefinition {
  readonly id: PytorchArchitecture;
  /** True when the dicts look like this architecture (keys and ranks only; build checks the rest). */
  matches(dicts: readonly NamedStateDict[]): boolean;
  build(dicts: readonly NamedStateDict[]): BuiltModel;
}

export const CONVERTED_PRODUCER = 'framesmith-pytorch2onnx';
