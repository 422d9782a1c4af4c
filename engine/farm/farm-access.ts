// The app's one way to its farm: the Redis URL and shared root come from the
// settings each time they are needed, and one FarmClient is kept open for
// them (closed and opened again when they change, closed by dispose()).
// Before a client is opened the farm is probed, so a Redis that does not
// answer fails a job or a status request in seconds with its reason instead
// of leaving BullMQ's connection retrying for ever. The farm executor submits
// through it; the API's farm:status and farm:test read through it.
import type { FarmJobView, FarmStatusView } from '../../common/api/api-types.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { Engine } from '../engine.ts';
import { cancelFarmJob } from './farm-cancel.ts';
import { FarmClient } from './farm-client.ts';
import type { FarmRecord } from './farm-job.ts';
import { probeFarm, type FarmProbeResult } from './farm-probe.ts';
import { SharedRoot } from './shared-root.ts';

export interface FarmConfig {
  redisUrl: string | null;
  sharedRoot: string | null;
}

interface OpenClient {
  key: string;
  client: Promise<FarmClient>;
}

/** Problems that leave nothing to read from the farm; 'no-workers' still lists its jobs. */
const BLOCKING = new Set(['invalid-url', 'unreachable', 'auth-failed', 'shared-root-missing', 'shared-root-not-writable']);

export class FarmAccess {
  private opened: OpenClient | undefined;
  private readonly sweeps = new Set<Promise<void>>();
  private readonly disposing = new AbortController();

  constructor(
    private readonly engine: Engine,
    private readonly config: () => Promise<FarmConfig>,
    private readonly options: { pollMs?: number; probeTimeoutMs?: number } = {},
  ) {}

  /** The farm of the settings, or undefined when none is set. */
  async configured(): Promise<{ redisUrl: string; sharedRoot: string } | undefined> {
    const { redisUrl, sharedRoot } = await this.config();
    return redisUrl && sharedRoot ? { redisUrl, sharedRoot } : undefined;
  }

  probe(target: { redisUrl: string; sharedRoot: string }): Promise<FarmProbeResult> {
    return probeFarm({ ...target, timeoutMs: this.options.probeTimeoutMs });
  }

  /** A client for the farm of the settings; refuses with the reason when none is set or it cannot be used. */
  async client(): Promise<FarmClient> {
    const target = await this.configured();
    if (!target) throw new InvalidArgumentError('No render farm is set up. Enter its Redis URL and shared folder in Settings, or render on this machine.');
    const key = `${target.redisUrl}\n${target.sharedRoot}`;
    if (this.opened?.key !== key) {
      const probe = await this.probe(target);
      if (probe.problem !== null && BLOCKING.has(probe.problem)) throw new InvalidArgumentError(`The render farm cannot be used: ${probe.detail ?? probe.problem}`);
      await this.closeClient();
      const client = SharedRoot.open(target.sharedRoot).then((sharedRoot) => FarmClient.open({ engine: this.engine, redisUrl: target.redisUrl, sharedRoot, pollMs: this.options.pollMs }));
      client.catch(() => {
        if (this.opened?.client === client) this.opened = undefined;
      });
      this.opened = { key, client };
    }
    return this.opened.client;
  }

  /** Workers and unfinished farm jobs of the farm of the settings. */
  async status(): Promise<FarmStatusView> {
    const target = await this.configured();
    if (!target) return { configured: false, problem: 'not-configured', detail: null, workers: [], jobs: [] };
    const probe = await this.probe(target);
    const workers = probe.workers.map(({ name, host, provider, fps, segment }) => ({ name, host, provider, fps, segment }));
    if (probe.problem !== null && BLOCKING.has(probe.problem)) return { configured: true, problem: probe.problem, detail: probe.detail, workers, jobs: [] };
    const client = await this.client();
    const jobs: FarmJobView[] = [];
    for (const record of await client.pending()) {
      const segments = await client.statuses(record);
      jobs.push({
        farmJobId: record.id,
        input: record.work.input,
        output: record.output,
        framesDone: segments.reduce((sum, segment) => sum + segment.frames, 0),
        framesTotal: record.outputFrames,
        segments: segments.map(({ index, state, frames, frameCount, worker }) => ({ index, state, frames, frameCount, worker: worker ?? null })),
      });
    }
    return { configured: true, problem: probe.problem, detail: probe.detail, workers, jobs };
  }

  /** Cancels a farm job: what can go goes now; segments a worker still holds are swept in the background (until dispose). */
  async cancel(client: FarmClient, record: FarmRecord): Promise<void> {
    const { rest } = await cancelFarmJob(client, record, { signal: this.disposing.signal });
    const tracked = rest.catch(() => undefined).finally(() => this.sweeps.delete(tracked));
    this.sweeps.add(tracked);
  }

  private async closeClient(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    const client = opened ? await opened.client.catch(() => undefined) : undefined;
    await client?.close();
  }

  async dispose(): Promise<void> {
    this.disposing.abort();
    await Promise.all([...this.sweeps]);
    await this.closeClient();
  }
}
