// Jobs as every front-end sees them: what a job asks for (JobSpec), where it
// stands (JobSnapshot) and what it reports (JobEvent). The engine's job queue
// produces these; the CLI, the Electron app and `framesmith serve` pass them
// on unchanged.
import { z } from 'zod';
import type { SerializedError } from './errors.ts';
import type { JobId, PresetId } from './ids.ts';
import { outputSettingsSchema, processingSettingsSchema, stepSchema } from './job-spec.ts';
import type { Progress } from './progress.ts';

export const JOB_STATES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Where a job's videos render: this machine, or the render farm set in Settings (still images always render here). */
export const RENDER_TARGETS = ['local', 'farm'] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

export const jobSpecSchema = z
  .object({
    /** Files, folders or glob patterns; expanded into items when the job is added. */
    inputs: z.array(z.string().min(1)).min(1),
    /** A saved preset, or an explicit chain in `steps` (one of the two). */
    presetId: z.string().min(1).optional(),
    steps: z.array(stepSchema).min(1).optional(),
    /** Output folder; default beside each input. A single-input job may name a file instead. */
    outputFolder: z.string().min(1).optional(),
    outputPath: z.string().min(1).optional(),
    /** File-name template: {name}, {preset}, {ext}. */
    nameTemplate: z.string().min(1).default('{name}-{preset}{ext}'),
    /** Overrides of the preset's output and processing settings. */
    outputSettings: outputSettingsSchema.partial().optional(),
    processing: processingSettingsSchema.partial().optional(),
    recursive: z.boolean().default(false),
    renderOn: z.enum(RENDER_TARGETS, { error: 'renderOn is "local" (this machine) or "farm"' }).default('local'),
  })
  .refine((spec) => (spec.presetId === undefined) !== (spec.steps === undefined), {
    message: 'give either a preset or a chain of steps',
  });
export type JobSpec = z.infer<typeof jobSpecSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;

export interface JobItemSnapshot {
  input: string;
  output: string;
  state: JobState;
  framesDone: number;
  framesTotal: number | null;
  error: SerializedError | null;
}

export interface JobSnapshot {
  id: JobId;
  state: JobState;
  spec: JobSpec;
  presetId: PresetId | null;
  /** Short description for lists, e.g. "upscaled-x4-60fps". */
  label: string;
  items: JobItemSnapshot[];
  progress: Progress | null;
  error: SerializedError | null;
  /** Position in the queue (0 runs first) while queued. */
  position: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface PreviewImage {
  width: number;
  height: number;
  /** PNG bytes, base64. */
  pngBase64: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type JobEvent =
  | { type: 'state'; job: JobSnapshot }
  | { type: 'removed'; jobId: JobId }
  | { type: 'progress'; jobId: JobId; progress: Progress }
  | { type: 'preview'; jobId: JobId; itemIndex: number; frameIndex: number; before: PreviewImage; after: PreviewImage }
  | { type: 'log'; jobId: JobId | null; level: LogLevel; message: string; at: string };
