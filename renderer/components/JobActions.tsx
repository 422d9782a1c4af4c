// The buttons a job offers in its current state. Opening files needs the
// desktop app; in a browser those buttons stay visible but disabled, with the
// reason as their description.
import { useTranslation } from 'react-i18next';
import type { JobSnapshot } from '../../common/jobs.ts';
import { useHost } from '../api/ApiContext.tsx';
import { baseName } from '../format.ts';
import { jobVerb } from '../job-summary.ts';

export type JobAction = 'pause' | 'resume' | 'cancel' | 'retry' | 'edit' | 'remove' | 'up' | 'down' | 'open' | 'reveal';

interface JobActionsProps {
  job: JobSnapshot;
  canMoveUp: boolean;
  canMoveDown: boolean;
  busy: boolean;
  onAction: (action: JobAction) => void;
}

function actionsFor(state: JobSnapshot['state']): JobAction[] {
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

export function JobActions({ job, canMoveUp, canMoveDown, busy, onAction }: JobActionsProps) {
  const { t } = useTranslation();
  const host = useHost();
  const desktopOnly = host.kind !== 'electron';
  const name = job.label;
  // "Pause: upscale ×4 of clip.mp4": what the job does and on which file, so a screen reader can tell three jobs on one file apart.
  const more = job.items.length - 1;
  const target = { what: jobVerb(t, job), name: baseName(job.items[0]?.input ?? job.spec.inputs[0] ?? ''), count: more };
  const what = more > 0 ? t('queue.actionTargetMany', target) : t('queue.actionTarget', target);
  return (
    <div className="job-actions" role="group" aria-label={t('queue.actionsFor', { name })}>
      {actionsFor(job.state).map((action) => {
        const needsDesktop = (action === 'open' || action === 'reveal') && desktopOnly;
        const disabled = busy || needsDesktop || (action === 'up' && !canMoveUp) || (action === 'down' && !canMoveDown);
        return (
          <button
            key={action}
            type="button"
            className={`button small${action === 'cancel' || action === 'remove' ? ' danger' : ''}`}
            disabled={disabled}
            title={needsDesktop ? t('queue.desktopOnly') : undefined}
            aria-label={`${t(`queue.action.${action}`)}: ${what}`}
            onClick={() => onAction(action)}
          >
            {t(`queue.action.${action}`)}
          </button>
        );
      })}
    </div>
  );
}
