// `framesmith queue [list|pause|resume|cancel|remove|retry] [id]`: the job
// queue in the user's data folder. A job running in another framesmith
// process is paused, resumed or cancelled through that process. A job file
// that cannot be read is moved aside (never dropped) and `list` names it.
import type { Command } from 'commander';
import { JobQueue, serializeError } from '../../engine/index.ts';
import type { JobSnapshot } from '../../common/jobs.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { openJobSession } from '../job-session.ts';
import { userDataDir } from '../app-paths.ts';
import { cliErrorText } from '../error-text.ts';

function line(job: JobSnapshot): string {
  const done = job.items.filter((item) => item.state === 'completed').length;
  const frames = job.items.reduce((sum, item) => sum + item.framesDone, 0);
  return `${job.id}  ${job.state.padEnd(11)} ${job.label}  ${done}/${job.items.length} items  ${frames} frames  ${job.items[0]?.input ?? ''}${job.items.length > 1 ? ' ...' : ''}`;
}

export function registerQueueCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('queue')
    .description('List the job queue, or pause, resume, cancel, retry or remove a job')
    .argument('[action]', 'list | pause | resume | cancel | retry | remove', 'list')
    .argument('[job]', 'job id')
    .option('--json', 'print JSON', false)
    .action(async (action: string, id: string | undefined, flags: { json: boolean }) => {
      const actions = ['list', 'pause', 'resume', 'cancel', 'retry', 'remove'];
      if (!actions.includes(action)) {
        process.stderr.write(`framesmith queue: unknown action "${action}". Use one of: ${actions.join(', ')}.\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      if (action !== 'list' && id === undefined) {
        process.stderr.write(`framesmith queue ${action}: give a job id (see \`framesmith queue\`).\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      const session = await openJobSession();
      try {
        if (action === 'list') {
          const jobs = session.queue.list();
          for (const record of session.queue.unreadable()) {
            process.stderr.write(`unreadable job record, moved aside: ${record.file} (its work folder ${record.workDir} is kept; remove both when you no longer need them)\n`);
          }
          if (flags.json) process.stdout.write(`${JSON.stringify(jobs)}\n`);
          else process.stdout.write(jobs.length === 0 ? 'The queue is empty.\n' : `${jobs.map(line).join('\n')}\n`);
        } else if (action === 'pause' || action === 'resume' || action === 'cancel') {
          await session.queue.dispose();
          const outcome = await JobQueue.control({ dataDir: userDataDir(), executor: session.engine }, id as string, action);
          process.stdout.write(`${outcome === 'requested' ? `Asked the running framesmith to ${action}` : `Did ${action}`} job ${id}.\n`);
        } else if (action === 'retry') {
          await session.queue.retry(id as string);
          process.stdout.write(`Job ${id} is queued again; run it with \`framesmith resume ${id}\`.\n`);
        } else {
          await session.queue.remove(id as string);
          process.stdout.write(`Removed job ${id}.\n`);
        }
        setExitCode(EXIT_OK);
      } catch (error) {
        const serialized = serializeError(error);
        process.stderr.write(`framesmith queue: ${cliErrorText(serialized)}\n`);
        setExitCode(serialized.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILED);
      } finally {
        await session.dispose();
      }
    });
}
