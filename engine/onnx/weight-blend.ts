// Real-ESRGAN's "denoise strength" (inference_realesrgan.py): for
// realesr-general-x4v3 the network run is s * general + (1 - s) * general-wdn,
// blended weight by weight (s = 1 strong denoise, s = 0 weak). Both files must
// share one architecture: the same initializer names, shapes and types.
import { ModelManifestMismatchError } from '../../common/errors.ts';
import { expectNumberInRange } from '../../common/validation.ts';
import { ELEMENT_TYPE, encodeModel, readModelFile } from './onnx-file.ts';
import type { ModelProto, TensorProto } from './onnx-file.ts';
import { isFloatTensor, readFloatTensor, tensorDims, writeFloatTensor } from './tensor-proto.ts';

export interface BlendLabels {
  /** Model ids for error messages. */
  primary: string;
  partner: string;
}

function sameBytes(a: TensorProto, b: TensorProto): boolean {
  const left = a.rawData ?? new Uint8Array();
  const right = b.rawData ?? new Uint8Array();
  if (left.byteLength !== right.byteLength) return false;
  for (let index = 0; index < left.byteLength; index += 1) if (left[index] !== right[index]) return false;
  return JSON.stringify([a.int32Data, a.int64Data, a.floatData]) === JSON.stringify([b.int32Data, b.int64Data, b.floatData]);
}

/**
 * Blends `primary` in place: every float initializer becomes
 * strength * primary + (1 - strength) * partner, in float32 arithmetic, stored
 * in the primary's element type. Non-float initializers must be identical.
 */
export function blendModels(primary: ModelProto, partner: ModelProto, strength: number, labels: BlendLabels = { primary: 'primary', partner: 'partner' }): ModelProto {
  expectNumberInRange('the denoise strength', strength, 0, 1);
  const mismatch = (problem: string): ModelManifestMismatchError =>
    new ModelManifestMismatchError(labels.primary, `its weights cannot be blended with "${labels.partner}": ${problem}`);
  const own = primary.graph?.initializer ?? [];
  const theirs = new Map((partner.graph?.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  if (own.length !== theirs.size) throw mismatch(`${own.length} weight tensors against ${theirs.size}`);
  for (const tensor of own) {
    const name = tensor.name ?? '';
    const other = theirs.get(name);
    if (!other) throw mismatch(`weight "${name}" is missing from the partner`);
    const dims = tensorDims(tensor).join('x');
    const otherDims = tensorDims(other).join('x');
    if (dims !== otherDims) throw mismatch(`weight "${name}" has shape [${dims}] against [${otherDims}]`);
    if (isFloatTensor(tensor) !== isFloatTensor(other)) throw mismatch(`weight "${name}" has element type ${tensor.dataType} against ${other.dataType}`);
    if (!isFloatTensor(tensor)) {
      if (tensor.dataType !== other.dataType || !sameBytes(tensor, other)) throw mismatch(`non-float tensor "${name}" differs`);
      continue;
    }
    const values = readFloatTensor(tensor);
    const otherValues = readFloatTensor(other);
    const complement = 1 - strength;
    for (let index = 0; index < values.length; index += 1) {
      values[index] = strength * values[index] + complement * otherValues[index];
    }
    writeFloatTensor(tensor, values, tensor.dataType === ELEMENT_TYPE.FLOAT16 ? 'float16' : 'float32');
  }
  return primary;
}

/** The blended model's bytes, ready for InferenceSession.create(buffer). */
export async function blendModelFiles(primaryPath: string, partnerPath: string, strength: number, labels?: BlendLabels): Promise<Uint8Array> {
  const [primary, partner] = await Promise.all([readModelFile(primaryPath), readModelFile(partnerPath)]);
  return encodeModel(blendModels(primary, partner, strength, labels));
}
