// `framesmith farm status|cancel`: the farm as a person or a script sees it:
// each worker's host, provider, speed and current segment, and each job's
// segments by state.
import type { Command } from 'commander';
import { Engine, FarmClient, SharedRoot, redactRedisUrl, serializeError, type SegmentStatus } from '../../engine/index.ts';
import { userCacheDir } from '../app-paths.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { printError } from '../reporter.ts';

interface FarmCommandFlags {
  redis: string;
  sharedRoot: string;
  json: boolean;
}

function countStates(segments: readonly SegmentStatus[]): string {
  const counts = new Map<string, number>();
  for (const segment of segments) counts.set(segment.state, (counts.get(segment.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${count} ${state}`).join(', ');
}

async function withClient(flags: FarmCommandFlags, setExitCode: (code: number) => void, body: (client: FarmClient) => Promise<void>): Promise<void> {
  let engine: Engine | undefined;
  let client: FarmClient | undefined;
  try {
    engine = await Engine.create({ cacheDir: userCacheDir() });
    client = await FarmClient.open({ engine, redisUrl: flags.redis, sharedRoot: await SharedRoot.open(flags.sharedRoot) });
    await body(client);
    setExitCode(EXIT_OK);
  } catch (error) {
    printError(serializeError(error), flags.json);
    setExitCode(EXIT_FAILED);
  } finally {
    await client?.close();
    await engine?.dispose();
  }
}

export function registerFarmCommand(program: Command, setExitCode: (code: number) => void): void {
  const farm = program.command('farm').description('See and manage a render farm (see also "framesmith worker")');
  const common = (command: Command): Command => command
    .requiredOption('--redis <url>', 'the farm\'s Redis URL')
    .requiredOption('--shared-root <path>', 'the farm\'s shared folder')
    .option('--json', 'print JSON', false);
  common(farm.command('status').description('Workers (host, provider, fps, segment) and farm jobs (segments by state)'))
    .action(async (flags: FarmCommandFlags) => withClient(flags, setExitCode, async (client) => {
      const workers = await client.workers.workers();
      const jobs = await Promise.all((await client.pending()).map(async (record) => ({ record, segments: await client.statuses(record) })));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ workers, jobs: jobs.map(({ record, segments }) => ({ id: record.id, input: record.work.input, output: record.output, frames: record.outputFrames, segments })) })}\n`);
        return;
      }
      const lines = [`Farm at ${redactRedisUrl(flags.redis)}`, `Workers (${workers.length})`];
      for (const worker of workers) {
        const doing = worker.segment ? `${worker.segment.farmJobId} segment ${worker.segment.index} (${worker.segment.frames} frames)` : 'idle';
        lines.push(`  ${worker.name.padEnd(24)} ${worker.host.padEnd(16)} ${worker.provider.padEnd(8)} ${(worker.fps === null ? '-' : worker.fps.toFixed(1)).padStart(6)} fps  ${doing}`);
      }
      lines.push(`Jobs (${jobs.length})`);
      for (const { record, segments } of jobs) {
        const done = segments.reduce((sum, segment) => sum + segment.frames, 0);
        lines.push(`  ${record.id}  ${record.work.input} -> ${record.output}  ${done}/${record.outputFrames} frames  segments: ${countStates(segments)}`);
        for (const segment of segments.filter((entry) => entry.state === 'failed')) lines.push(`    segment ${segment.index} failed: ${segment.reason ?? ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }));
  common(farm.command('cancel').description('Cancel farm jobs: remove their queued segments and their folder').argument('<jobs...>', 'farm job ids (fj-...)'))
    .action(async (ids: string[], flags: FarmCommandFlags) => withClient(flags, setExitCode, async (client) => {
      for (const id of ids) {
        await client.remove(await client.read(id));
        process.stderr.write(`cancelled ${id}\n`);
      }
    }));
}
