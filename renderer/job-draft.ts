// A failed or cancelled job brought back as a New job to edit (the queue
// card's Edit): everything the user chose for it, so what is added again
// differs only where they change it, and why it failed, for the field at fault.
import type { TFunction } from 'i18next';
import type { Step } from '../common/job-spec.ts';
import type { JobSnapshot, RenderTarget } from '../common/jobs.ts';
import { toGuiError, type GuiError } from './gui-error.ts';

/** Per-job overrides of the preset's output and processing settings (New job's overrides section). */
export interface Overrides {
  codec?: string;
  crf?: number;
  audio?: string;
  overwrite?: boolean;
  provider?: string;
  tile?: number;
}

/** What the New job screen starts from: a quick start's choice, or a failed job to edit and queue again. */
export interface JobDraft {
  inputs: string[];
  steps?: Step[];
  presetId?: string;
  outputFolder?: string;
  nameTemplate?: string;
  overrides?: Overrides;
  /** Where it renders: this machine (default) or the farm. */
  renderOn?: RenderTarget;
  /** Why the job failed, shown on the field at fault until the spec changes. */
  problem?: GuiError;
}

/** A failed or cancelled job as a New job to edit: its inputs, chain, output and overrides, and why it failed. */
export function draftOf(t: TFunction, job: JobSnapshot): JobDraft {
  const { spec } = job;
  const error = job.error ?? job.items.find((item) => item.error)?.error ?? null;
  return {
    inputs: spec.inputs,
    steps: spec.steps,
    presetId: spec.presetId,
    outputFolder: spec.outputFolder,
    nameTemplate: spec.nameTemplate,
    renderOn: spec.renderOn,
    overrides: {
      codec: spec.outputSettings?.codec,
      crf: spec.outputSettings?.crf,
      audio: spec.outputSettings?.audio,
      overwrite: spec.outputSettings?.overwrite || undefined,
      provider: spec.processing?.provider,
      tile: typeof spec.processing?.tile === 'number' ? spec.processing.tile : undefined,
    },
    problem: error && job.state === 'failed' ? toGuiError(t, error) : undefined,
  };
}
