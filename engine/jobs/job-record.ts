// A job's durable record made from its spec and planned batch, and the
// snapshot of a record that front-ends see (validated spec, items, progress,
// position in the queue), the recovery of a record whose process died, and
// the job's work folder.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InvalidArgumentError, type SerializedError } from '../../common/errors.ts';
import { jobId, type JobId, type PresetId } from '../../common/ids.ts';
import { jobSpecSchema, type JobSnapshot, type JobSpec } from '../../common/jobs.ts';
import type { Progress } from '../../common/progress.ts';
import { listTemporarySiblings, removeQuietly } from '../media/output-path.ts';
import type { BatchPlan } from './batch.ts';
import { isProcessAlive, type JobRecord } from './job-store.ts';

export function newJobId(): JobId {
  return jobId(`${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
}

/** A queued job's record; `label` defaults to the chain's step kinds ("upscale-interpolate"). */
export function newJobRecord(id: JobId, spec: JobSpec, plan: BatchPlan, options: { label?: string; workDir?: string }): JobRecord {
  const first = plan.items[0];
  if (!first) throw new InvalidArgumentError('The job has no input files.');
  return {
    version: 1,
    id,
    state: 'queued',
    spec: spec as unknown as Record<string, unknown>,
    presetId: spec.presetId ?? null,
    label: options.label ?? first.steps.map((step) => step.kind).join('-'),
    steps: first.steps,
    outputSettings: first.outputSettings,
    processing: first.processing,
    items: plan.items.map((item) => ({
      input: item.input.path,
      kind: item.input.kind === 'image' ? 'image' : 'video',
      output: item.output,
      state: 'queued',
      framesDone: 0,
      framesTotal: null,
      error: null,
    })),
    error: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    ownerPid: null,
    ...(options.workDir ? { workDir: options.workDir } : {}),
  };
}

export function snapshotOf(record: JobRecord, position: number | null, progress: Progress | null): JobSnapshot {
  return {
    id: jobId(record.id),
    state: record.state,
    spec: jobSpecSchema.parse(record.spec),
    presetId: (record.presetId ?? null) as PresetId | null,
    label: record.label,
    items: record.items.map((item) => ({
      input: item.input,
      output: item.output,
      state: item.state,
      framesDone: item.framesDone,
      framesTotal: item.framesTotal,
      error: item.error as SerializedError | null,
    })),
    progress,
    error: record.error as SerializedError | null,
    position,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}

/**
 * A running or paused record whose process is gone (no live process owns
 * it): running becomes 'interrupted' (it resumes from its segments), paused
 * stays paused, and nobody owns it. Undefined when the record needs nothing.
 */
export function orphanRecovered(record: JobRecord): JobRecord | undefined {
  if (record.state !== 'running' && record.state !== 'paused') return undefined;
  if (record.ownerPid !== null && record.ownerPid !== process.pid && isProcessAlive(record.ownerPid)) return undefined;
  return {
    ...record,
    state: record.state === 'running' ? 'interrupted' : record.state,
    ownerPid: null,
    items: record.items.map((item) => (item.state === 'running' ? { ...item, state: 'interrupted' } : item)),
  };
}

/** The job's work folder: the one its record names (a working-folder setting), else <dataDir>/work/<id>. */
export function workDirOf(id: string, record: JobRecord | undefined, dataDir: string): string {
  return record?.workDir ?? path.join(dataDir, 'work', id);
}

/** Removes the job's work folder and the temporary files beside its unfinished outputs (finished outputs stay). */
export async function removeJobWork(record: JobRecord, workDir: string): Promise<void> {
  await removeQuietly(workDir);
  for (const item of record.items) {
    if (item.state === 'completed') continue;
    for (const temp of await listTemporarySiblings(item.output)) await removeQuietly(temp);
  }
}
