// Cross-process claiming and control of the durable queue's jobs.
//
// Ownership: a job being run records its process id. Jobs owned by another
// live process are left alone; pause, resume and cancel reach them through
// a control file that the owner polls here (every 250 ms while it runs
// jobs).
//
// Concurrency holds across processes: before a job starts, the lease counts
// the jobs that live processes (this one included) are running or holding
// paused, under the queue lock, from their records; at the limit the job
// stays 'queued' and waits its turn, saying which job of which process it
// waits for. The records are the lock: a 'running' record whose process died
// holds nothing, so a crashed owner never blocks the queue.
import { serializeError } from '../../common/errors.ts';
import type { JobState } from '../../common/jobs.ts';
import { sleep } from '../base/sleep.ts';
import { isProcessAlive, type ControlAction, type JobRecord, type JobStore } from './job-store.ts';

export const ACTIVE_STATES: readonly JobState[] = ['running', 'paused'];

const CONTROL_POLL_MS = 250;

/** What the lease needs of the queue that holds it. */
export interface LeaseHost {
  /** Jobs this process runs now (and whether one of them is paused). */
  activeIds(): string[];
  isActive(id: string): boolean;
  isPaused(id: string): boolean;
  /** The record on disk changed under us (another process): take it. */
  refresh(record: JobRecord): void;
  /** Marks the job running in this process (under the lock). */
  markClaimed(record: JobRecord): Promise<void>;
  /** Applies a control that another process asked for. */
  apply(id: string, action: ControlAction): Promise<void>;
  log(id: string, level: 'info' | 'warn', message: string): void;
}

export interface LeaseOptions {
  /** Jobs run at once by all processes sharing the queue; default 1. */
  concurrency?: number;
  /** Milliseconds between looks at whether a job waiting for its turn may start; default 250. */
  turnPollMs?: number;
}

export class QueueLease {
  private controlTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly options: LeaseOptions,
    private readonly host: LeaseHost,
  ) {}

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 1);
  }

  /**
   * Applies a control here (`applyHere`) when no other live process runs
   * the job, else asks that process; under the queue lock, so a process
   * claiming the job meanwhile either sees the change or is asked.
   */
  async route(id: string, action: ControlAction, current: (onDisk: JobRecord | undefined) => JobRecord, applyHere: () => Promise<void>): Promise<'applied' | 'requested'> {
    return this.store.withLock(async () => {
      const record = current(await this.store.get(id));
      if (record.ownerPid !== null && record.ownerPid !== process.pid && ACTIVE_STATES.includes(record.state) && isProcessAlive(record.ownerPid)) {
        await this.store.requestControl(id, action);
        return 'requested' as const;
      }
      await applyHere();
      return 'applied' as const;
    });
  }

  /**
   * Claims the job on disk: 'claimed', 'gone' (another process took it, or it
   * was paused, cancelled or removed meanwhile), or the job that holds the
   * last free turn when the concurrency limit is reached.
   */
  private async claim(id: string): Promise<'claimed' | 'gone' | { jobId: string; pid: number }> {
    return this.store.withLock(async () => {
      const onDisk = await this.store.get(id);
      if (!onDisk || onDisk.state !== 'queued') {
        if (onDisk) this.host.refresh(onDisk);
        return 'gone';
      }
      const { records } = await this.store.load();
      const holders = records.filter((record) => record.id !== id && ACTIVE_STATES.includes(record.state) && this.holdsTurn(record));
      const first = holders[0];
      if (first && holders.length >= this.concurrency) return { jobId: first.id, pid: first.ownerPid ?? process.pid };
      await this.host.markClaimed(onDisk);
      return 'claimed';
    });
  }

  /** A running or paused record holds a turn while its process lives (ours: while we run it). */
  private holdsTurn(record: JobRecord): boolean {
    if (record.ownerPid === null) return false;
    if (record.ownerPid === process.pid) return this.host.isActive(record.id);
    return isProcessAlive(record.ownerPid);
  }

  /** Claims the job, waiting (state 'queued') while other jobs hold every turn; false when it is no longer to be run. */
  async claimInTurn(id: string, signal: AbortSignal): Promise<boolean> {
    let waitingFor = '';
    for (;;) {
      const outcome = await this.claim(id);
      if (outcome === 'claimed') return true;
      if (outcome === 'gone') return false;
      const key = `${outcome.jobId}@${outcome.pid}`;
      if (key !== waitingFor) {
        waitingFor = key;
        this.host.log(id, 'info', `Waiting for job ${outcome.jobId} in process ${outcome.pid} to finish: ${this.concurrency} GPU-heavy job${this.concurrency === 1 ? '' : 's'} at a time.`);
      }
      await sleep(this.options.turnPollMs ?? 250, signal);
    }
  }

  /** Starts polling for controls from other processes (while this process runs jobs). */
  startPolling(): void {
    if (this.controlTimer) return;
    this.controlTimer = setInterval(() => {
      void this.pollControls();
    }, CONTROL_POLL_MS);
    this.controlTimer.unref();
  }

  /** Stops polling once no job of this process runs. */
  stopPollingWhenIdle(): void {
    if (this.host.activeIds().length === 0) this.stopPolling();
    else this.holdProcessWhilePaused();
  }

  stopPolling(): void {
    if (this.controlTimer) clearInterval(this.controlTimer);
    this.controlTimer = undefined;
  }

  /**
   * A paused job waits on a promise alone (its decoder is held by
   * backpressure), which does not keep Node running: while one is paused the
   * control poll keeps the process alive, so the job can be resumed.
   */
  holdProcessWhilePaused(): void {
    if (!this.controlTimer) return;
    if (this.host.activeIds().some((id) => this.host.isPaused(id))) this.controlTimer.ref();
    else this.controlTimer.unref();
  }

  private async pollControls(): Promise<void> {
    const ids = this.host.activeIds();
    if (ids.length === 0) return;
    for (const { id, action } of await this.store.takeControls(ids).catch(() => [])) {
      try {
        await this.host.apply(id, action);
      } catch (error) {
        this.host.log(id, 'warn', `Could not ${action} job ${id}: ${serializeError(error).userMessage}`);
      }
    }
  }
}
