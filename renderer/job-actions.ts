// Which buttons a job offers: by its state, and by the host (Open and Show
// in folder need the desktop app). Pure, so it is tested without a browser.
import type { JobSnapshot } from '../common/jobs.ts';

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry' | 'edit' | 'remove' | 'up' | 'down' | 'open' | 'reveal';

/** What a job in `state` offers; `desktop` is false in a browser, where Open and Show in folder cannot work. */
export function actionsFor(state: JobSnapshot['state'], desktop: boolean): JobAction[] {
  return stateActions(state).filter((action) => desktop || !DESKTOP_ONLY.has(action));
}

const DESKTOP_ONLY: ReadonlySet<JobAction> = new Set(['open', 'reveal']);

function stateActions(state: JobSnapshot['state']): JobAction[] {
  switch (state) {
    case 'running': return ['pause', 'cancel'];
    case 'paused': return ['resume', 'cancel'];
    case 'interrupted': return ['resume', 'cancel', 'remove'];
    case 'queued': return ['up', 'down', 'cancel'];
    case 'failed': return ['retry', 'edit', 'remove'];
    case 'cancelled': return ['retry', 'edit', 'remove'];
    case 'completed': return ['open', 'reveal', 'remove'];
  }
}
