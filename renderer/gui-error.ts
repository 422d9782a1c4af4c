// An engine error as the GUI shows it: the field at fault (to mark it) and a
// message without command-line flags. The error's structured hint
// ({ field, action }, common/errors.ts) names the field where it has one;
// otherwise the field follows from the code. Engine messages name no flags
// now, but one that still does (an older server, a message from a tool) has
// its flags dropped or replaced by the name of the GUI's control.
import type { TFunction } from 'i18next';
import type { ErrorCode, HintAction, SerializedError } from '../common/errors.ts';

export interface GuiError {
  message: string;
  /** The job-spec field at fault ('outputSettings.overwrite', 'outputFolder', 'inputs', 'steps'), if one is. */
  field: string | null;
}

const FIELD_OF_CODE: Partial<Record<ErrorCode, string>> = {
  OUTPUT_EXISTS: 'outputSettings.overwrite',
  OUTPUT_NOT_WRITABLE: 'outputFolder',
  OUTPUT_IS_INPUT: 'outputFolder',
  DISK_FULL: 'outputFolder',
  INPUT_NOT_FOUND: 'inputs',
  INPUT_NOT_MEDIA: 'inputs',
  MODEL_NOT_FOUND: 'steps',
  ENCODER_UNAVAILABLE: 'outputSettings.codec',
};

/** The GUI control that stands for each CLI flag an engine message may name (an i18n key). */
const CONTROL_OF_FLAG: Readonly<Record<string, string>> = {
  overwrite: 'newJob.overwrite',
  codec: 'settings.codec',
  crf: 'settings.crf',
  audio: 'settings.audio',
  provider: 'settings.provider',
  tile: 'settings.tile',
  output: 'newJob.outputFolder',
  o: 'newJob.outputFolder',
};

function hintedField(error: SerializedError): string | null {
  return error.hint?.field ?? null;
}

/** The message with each "(--flag)" dropped and each bare "--flag" replaced by the name of its control. */
export function withoutFlags(t: TFunction, message: string): string {
  return message
    .replace(/\s*\((?:--?[a-z][a-z-]*(?:[ =][^)]*)?(?:,\s*)?)+\)/g, '')
    .replace(/(^|\s)--?([a-z][a-z-]*)\b/g, (_match, space: string, flag: string) => {
      const control = CONTROL_OF_FLAG[flag];
      return `${space}“${control ? t(control) : flag}”`;
    });
}

/** Actions the GUI words itself rather than show the engine's message (which names a command to type). */
const MESSAGE_OF_ACTION: Partial<Record<HintAction, string>> = {
  'install-gpu-runtime': 'providers.jobNeedsGpuRuntime',
};

/** The message a person reads in the GUI. */
export function guiMessage(t: TFunction, error: SerializedError): string {
  const own = error.hint ? MESSAGE_OF_ACTION[error.hint.action] : undefined;
  return own ? t(own, { section: t('gpu.title') }) : withoutFlags(t, error.userMessage);
}

export function toGuiError(t: TFunction, error: SerializedError): GuiError {
  return { message: guiMessage(t, error), field: hintedField(error) ?? FIELD_OF_CODE[error.code] ?? null };
}
