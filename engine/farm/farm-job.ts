// What a farm job is, on the wire and on the shared storage. The record
// (`.framesmith-farm/<id>/job.json` under the shared root) is the truth a
// submitter or a later `resume` needs: the item, its segments and the
// fingerprint (engine version, model hashes) every worker must match. A
// segment is done when its part file exists: parts are renamed into place
// only when complete. Every payload a worker takes is parsed with these
// schemas, built from the same step and settings schemas as local jobs.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { outputSettingsSchema, processingSettingsSchema, stepSchema } from '../../common/job-spec.ts';

export const FARM_QUEUE = 'framesmith-segments';
/** Tries per segment before the job fails (a killed worker's stalled segment counts as one). */
export const SEGMENT_ATTEMPTS = 3;

export const farmJobIdSchema = z.string().regex(/^fj-[a-z0-9]{6,40}$/, 'a farm job id (fj-...)');
const relativeNameSchema = z.string().min(1).max(4096).refine((name) => !name.startsWith('/') && !name.split(/[\\/]/).includes('..'), 'a path inside the shared root');

export const fingerprintSchema = z.object({
  engineVersion: z.string().min(1),
  /** sha256 of each model the chain runs, by model id. */
  models: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type FarmFingerprint = z.infer<typeof fingerprintSchema>;

export const farmSegmentSchema = z.object({
  index: z.number().int().min(0),
  startFrame: z.number().int().min(0),
  frameCount: z.number().int().positive(),
  /** Part file, relative to the shared root. */
  file: relativeNameSchema,
});
export type FarmSegment = z.infer<typeof farmSegmentSchema>;

/** The chain with every path it names made relative to the shared root. */
export const farmWorkSchema = z.object({
  input: relativeNameSchema,
  steps: z.array(stepSchema).min(1),
  outputSettings: outputSettingsSchema,
  processing: processingSettingsSchema,
});
export type FarmWork = z.infer<typeof farmWorkSchema>;

export const farmRecordSchema = z.object({
  version: z.literal(1),
  id: farmJobIdSchema,
  createdAt: z.string(),
  fingerprint: fingerprintSchema,
  work: farmWorkSchema,
  /** Where the joined output goes on the submitting machine. */
  output: z.string().min(1),
  outputFrames: z.number().int().positive(),
  segments: z.array(farmSegmentSchema).min(1),
});
export type FarmRecord = z.infer<typeof farmRecordSchema>;

export const segmentPayloadSchema = z.object({
  farmJobId: farmJobIdSchema,
  segment: farmSegmentSchema,
  work: farmWorkSchema,
  fingerprint: fingerprintSchema,
});
export type SegmentPayload = z.infer<typeof segmentPayloadSchema>;

/** What a worker reports while a segment runs (BullMQ job progress). */
export const segmentProgressSchema = z.object({ frames: z.number().int().min(0), fps: z.number().min(0), worker: z.string() });
export type SegmentProgress = z.infer<typeof segmentProgressSchema>;

export function newFarmJobId(): string {
  return `fj-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** BullMQ job id of one segment: fixed, so adding it again is a no-op while it exists. */
export function segmentJobId(farmJobId: string, index: number): string {
  return `${farmJobId}-s${String(index).padStart(5, '0')}`;
}
