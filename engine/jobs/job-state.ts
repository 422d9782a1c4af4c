// The job state machine, in one table, so the queue, the store's recovery
// and every front-end agree on what may follow what. 'interrupted' is what a
// job that was running becomes when its process died (found on the next
// start); it resumes from its last finished segment.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { JobState } from '../../common/jobs.ts';

const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'paused', 'cancelled'],
  running: ['paused', 'completed', 'failed', 'cancelled', 'interrupted'],
  // A paused job resumes in place (running) when its process still holds it, else it queues again.
  paused: ['running', 'queued', 'completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: ['queued'],
  cancelled: ['queued'],
  interrupted: ['queued', 'running', 'cancelled'],
};

/** States a job can be removed from the queue in (not while work is in flight). */
export const REMOVABLE_STATES: readonly JobState[] = ['queued', 'paused', 'completed', 'failed', 'cancelled', 'interrupted'];

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws InvalidArgumentError naming both states when `from -> to` is not allowed. */
export function assertTransition(from: JobState, to: JobState, jobLabel: string): void {
  if (!canTransition(from, to)) {
    throw new InvalidArgumentError(`Job ${jobLabel} is ${from}; it cannot become ${to}.`);
  }
}

export function isFinished(state: JobState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}
