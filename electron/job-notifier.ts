// What the desktop shell shows of the queue outside the window: the taskbar
// or dock progress (the mean fraction of running jobs, -1 for none, as
// BrowserWindow.setProgressBar expects) and a system notification when a job
// finishes or fails. Pure: fed JobEvents, answers what to show.
import type { JobEvent, JobState } from '../common/jobs.ts';

export interface JobNotice {
  title: string;
  body: string;
  kind: 'completed' | 'failed';
}

export class JobNotifier {
  private readonly states = new Map<string, JobState>();
  private readonly fractions = new Map<string, number>();

  /** Takes one event; returns the notification it calls for, if any. */
  observe(event: JobEvent): JobNotice | undefined {
    if (event.type === 'removed') {
      this.states.delete(event.jobId);
      this.fractions.delete(event.jobId);
      return undefined;
    }
    if (event.type === 'progress') {
      if (this.states.get(event.jobId) === 'running') this.fractions.set(event.jobId, event.progress.fraction);
      return undefined;
    }
    if (event.type !== 'state') return undefined;
    const { job } = event;
    const before = this.states.get(job.id);
    this.states.set(job.id, job.state);
    if (job.state === 'running') this.fractions.set(job.id, job.progress?.fraction ?? this.fractions.get(job.id) ?? 0);
    else this.fractions.delete(job.id);
    if (before === job.state || before === undefined) return undefined;
    const name = job.items.length === 1 ? (job.items[0]?.output.split(/[\\/]/).pop() ?? job.label) : `${job.items.length} files`;
    if (job.state === 'completed') return { kind: 'completed', title: 'Job finished', body: `${job.label}: ${name}` };
    if (job.state === 'failed') return { kind: 'failed', title: 'Job failed', body: job.error?.userMessage ?? `${job.label}: ${name}` };
    return undefined;
  }

  /** 0..1 while jobs run (their mean), -1 when none does. */
  progress(): number {
    if (this.fractions.size === 0) return -1;
    let sum = 0;
    for (const fraction of this.fractions.values()) sum += Math.min(1, Math.max(0, fraction));
    return sum / this.fractions.size;
  }
}
