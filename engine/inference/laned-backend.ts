// Parallel runs on the CPU: a stage that keeps several runs of one model in
// flight (interpolation does) gets them computed at the same time on separate
// worker threads ("lanes"), each with its share of the intra-op threads,
// instead of one after the other on one session that spreads each run over
// all cores. onnxruntime's intra-op threads keep two cores only ~1.5 busy on
// RIFE's many small operators; two lanes of one thread keep both busy (RIFE
// 4.6 at 320x192, 2 cores: 30 -> 22 ms per run int8, 50 -> 40 ms fp32;
// at 1280x736 int8 514 -> 452 ms). Results do not depend on the lane:
// every lane holds the same model with the same thread count.
//
// A session asks for lanes with `parallelRuns`; everything else (GPU
// providers, one run at a time, one thread) is one session on the first
// lane, as before. The first lane's session is returned as soon as it is
// open; the others join as they finish opening, so lanes add no start-up
// latency, and a lane that fails to open is left out.
import { BugError } from '../../common/errors.ts';
import type { InferenceBackend, ModelSession, ProviderAttempt, ProviderReport, ResolvedModel, RunOptions, SessionOptions } from './inference-backend.ts';
import type { TensorMap } from './tensor.ts';

/** Worker threads a session's parallel runs are spread over at most. */
export const MAX_CPU_LANES = 2;

/** How many lanes and intra-op threads each a session gets for its options. */
export function laneShape(options: Pick<SessionOptions, 'provider' | 'threads' | 'parallelRuns'>, defaultThreads: number, laneCount: number): { lanes: number; threads: number | undefined } {
  const total = options.threads ?? defaultThreads;
  const lanes = Math.min(options.parallelRuns ?? 1, laneCount, total);
  if (lanes <= 1 || (options.provider !== 'cpu' && options.provider !== 'auto')) return { lanes: 1, threads: options.threads };
  return { lanes, threads: Math.floor(total / lanes) };
}

interface Lane {
  readonly backend: InferenceBackend;
  /** Runs in flight on this lane's worker, over all its sessions. */
  running: number;
}

class LaneRunner {
  /** Runs this lane did for its session (for tests and logs). */
  served = 0;

  constructor(
    private readonly lane: Lane,
    readonly session: ModelSession,
  ) {}

  get running(): number {
    return this.lane.running;
  }

  async run(inputs: TensorMap, options?: RunOptions): Promise<TensorMap> {
    this.lane.running += 1;
    this.served += 1;
    try {
      return await this.session.run(inputs, options);
    } finally {
      this.lane.running -= 1;
    }
  }
}

/** One model open on one or more lanes; each run goes to the least busy lane. */
export class LanedSession implements ModelSession {
  private readonly runners: LaneRunner[];
  private readonly joining: Promise<void>[] = [];
  private released = false;

  constructor(first: LaneRunner, more: readonly Promise<LaneRunner>[]) {
    this.runners = [first];
    for (const opening of more) {
      this.joining.push(opening.then(
        async (runner) => {
          if (this.released) await runner.session.release();
          else this.runners.push(runner);
        },
        () => undefined,
      ));
    }
  }

  get modelId(): string {
    return this.first.session.modelId;
  }

  get report(): ProviderReport {
    return this.first.session.report;
  }

  private get first(): LaneRunner {
    const runner = this.runners[0];
    if (!runner) throw new BugError('a laned session has no lane');
    return runner;
  }

  /** Runs done on each lane open now (the first at once, the others as they finish opening). */
  get runsPerLane(): number[] {
    return this.runners.map((runner) => runner.served);
  }

  /** Settles when every lane has opened or failed to. */
  async lanesOpened(): Promise<void> {
    await Promise.all(this.joining);
  }

  run(inputs: TensorMap, options?: RunOptions): Promise<TensorMap> {
    if (this.released) return Promise.reject(new BugError(`session for "${this.modelId}" used after release()`));
    let chosen = this.first;
    for (const runner of this.runners) if (runner.running < chosen.running) chosen = runner;
    return chosen.run(inputs, options);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await Promise.all(this.joining);
    await Promise.allSettled(this.runners.splice(0).map((runner) => runner.session.release()));
  }
}

export class LanedBackend implements InferenceBackend {
  private readonly lanes: Lane[];

  /** `backends`: one per lane (worker thread), the first the one every session without lanes uses. */
  constructor(
    backends: readonly InferenceBackend[],
    /** Intra-op threads when the options say none: the first backend's default. */
    private readonly defaultThreads: number,
  ) {
    if (backends.length === 0) throw new BugError('LanedBackend needs at least one backend');
    this.lanes = backends.map((backend) => ({ backend, running: 0 }));
  }

  async open(model: ResolvedModel, options: SessionOptions): Promise<ModelSession> {
    const shape = laneShape(options, this.defaultThreads, this.lanes.length);
    const laneOptions: SessionOptions = { ...options, ...(shape.threads === undefined ? {} : { threads: shape.threads }) };
    const [first, ...others] = this.lanes.slice(0, shape.lanes) as [Lane, ...Lane[]];
    const session = new LaneRunner(first, await first.backend.open(model, laneOptions));
    // Only the CPU runs on lanes: a GPU session (auto chose one) stays alone.
    const more = session.session.report.chosen === 'cpu'
      ? others.map(async (lane) => new LaneRunner(lane, await lane.backend.open(model, { ...laneOptions, provider: 'cpu' })))
      : [];
    return new LanedSession(session, more);
  }

  availableProviders(): Promise<ProviderAttempt[]> {
    return (this.lanes[0] as Lane).backend.availableProviders();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.backend.dispose()));
  }
}
