// `framesmith resume [job-id...]`: continues interrupted jobs (a killed or
// crashed run) from their last finished segment, and runs any other queued
// jobs, in the foreground.
import type { Command } from 'commander';
import { serializeError } from '../../engine/index.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { openJobSession, runJobsInForeground } from '../job-session.ts';
import { resumeOnFarm } from '../farm-run.ts';
import { JsonReporter, TextReporter, type Reporter } from '../reporter.ts';

export function registerResumeCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('resume')
    .description('Continue interrupted jobs from their last finished segment (and run queued ones)')
    .argument('[jobs...]', 'job ids (default: every interrupted or queued job)')
    .option('--json', 'print one JSON event a line', false)
    .option('--farm <redis-url>', 'resume farm jobs instead (ids fj-...): queue their missing segments and join them here')
    .option('--shared-root <path>', 'with --farm: the farm\'s shared folder (default: the current folder)')
    .action(async (jobIds: string[], flags: { json: boolean; farm?: string; sharedRoot?: string }) => {
      const reporter: Reporter = flags.json ? new JsonReporter() : new TextReporter(Boolean(process.stderr.isTTY));
      const session = await openJobSession();
      try {
        if (flags.farm !== undefined) {
          setExitCode(await resumeOnFarm(session.engine, jobIds, { farm: flags.farm, sharedRoot: flags.sharedRoot }, reporter));
          return;
        }
        const jobs = session.queue.list();
        const wanted = jobIds.length > 0
          ? jobIds.map((id) => session.queue.get(id))
          : jobs.filter((job) => job.state === 'interrupted' || job.state === 'queued');
        if (wanted.length === 0) {
          process.stderr.write('Nothing to resume.\n');
          setExitCode(EXIT_OK);
          return;
        }
        setExitCode(await runJobsInForeground(session.queue, reporter, wanted.map((job) => job.id)));
      } catch (error) {
        reporter.event({ type: 'error', error: serializeError(error) });
        setExitCode(EXIT_FAILED);
      } finally {
        reporter.close();
        await session.dispose();
      }
    });
}
