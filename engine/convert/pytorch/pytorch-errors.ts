// Errors of the PyTorch importer. All are InvalidArgumentError (the input file
// is the problem), so callers that know only the common codes still handle
// them; the subclasses carry what a caller or a bug report needs.
import { InvalidArgumentError } from '../../../common/errors.ts';

/**
 * A pickle asked for something outside the tensor-rebuild path: a global that
 * is not on the allow-list, or an opcode that would construct or call an
 * arbitrary object. Nothing was imported or called.
 */
export class PickleRefusedError extends InvalidArgumentError {
  /** `module.name` of the refused global, or the refused opcode's name. */
  readonly refused: string;

  constructor(refused: string, why: string) {
    super(`This PyTorch file asks to run "${refused}" while loading (${why}). Framesmith loads only plain tensor state dicts and never runs code from a checkpoint. Re-save the weights with torch.save(model.state_dict()) or as .safetensors.`);
    this.refused = refused;
  }
}

/** The bytes are not a readable checkpoint (truncated, corrupt, or another format). */
export class CheckpointFormatError extends InvalidArgumentError {
  constructor(problem: string) {
    super(`Not a readable PyTorch checkpoint: ${problem}. Expected a torch.save file (zip or legacy) or .safetensors.`);
  }
}

/** No known architecture matches the state dict's keys and shapes. */
export class UnknownArchitectureError extends InvalidArgumentError {
  readonly recognised: readonly string[];
  /** What to try instead (the message ends with it). */
  readonly advice: string;

  constructor(recognised: readonly string[], advice: string, reason?: string) {
    super(`${reason ?? 'The checkpoint does not match a known architecture'}. Recognised: ${recognised.join(', ')}. ${advice}`);
    this.recognised = recognised;
    this.advice = advice;
  }
}
