// The buttons a job offers in its current state. Opening a file or showing it
// in its folder needs the desktop app: in a browser those buttons are not
// shown at all (the job's files offer Download there instead).
import { useTranslation } from 'react-i18next';
import type { JobSnapshot } from '../../common/jobs.ts';
import { useHost } from '../api/ApiContext.tsx';
import { baseName } from '../format.ts';
import { actionsFor, type JobAction } from '../job-actions.ts';
import { jobVerb } from '../job-summary.ts';

export type { JobAction } from '../job-actions.ts';

interface JobActionsProps {
  job: JobSnapshot;
  canMoveUp: boolean;
  canMoveDown: boolean;
  busy: boolean;
  onAction: (action: JobAction) => void;
}

export function JobActions({ job, canMoveUp, canMoveDown, busy, onAction }: JobActionsProps) {
  const { t } = useTranslation();
  const host = useHost();
  const name = job.label;
  // "Pause: upscale ×4 of clip.mp4": what the job does and on which file, so a screen reader can tell three jobs on one file apart.
  const more = job.items.length - 1;
  const target = { what: jobVerb(t, job), name: baseName(job.items[0]?.input ?? job.spec.inputs[0] ?? ''), count: more };
  const what = more > 0 ? t('queue.actionTargetMany', target) : t('queue.actionTarget', target);
  return (
    <div className="job-actions" role="group" aria-label={t('queue.actionsFor', { name })}>
      {actionsFor(job.state, host.kind === 'electron').map((action) => {
        const disabled = busy || (action === 'up' && !canMoveUp) || (action === 'down' && !canMoveDown);
        return (
          <button
            key={action}
            type="button"
            className={`button small${action === 'cancel' || action === 'remove' ? ' danger' : ''}`}
            disabled={disabled}
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
