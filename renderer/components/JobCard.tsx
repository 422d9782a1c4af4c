// One job in the queue: thumbnail, paths, preset, progress with fps and ETA,
// state and the actions that state allows.
import { useTranslation } from 'react-i18next';
import type { JobSnapshot } from '../../common/jobs.ts';
import { baseName, formatDuration, formatPercent, pngDataUrl } from '../format.ts';
import type { JobThumbnail } from '../hooks/useJobs.ts';
import { guiMessage } from '../gui-error.ts';
import { describeJob } from '../job-summary.ts';
import { JobActions, type JobAction } from './JobActions.tsx';
import { JobOutputs } from './JobOutputs.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { ResultCompare } from './ResultCompare.tsx';

interface JobCardProps {
  job: JobSnapshot;
  thumbnail: JobThumbnail | undefined;
  canMoveUp: boolean;
  canMoveDown: boolean;
  busy: boolean;
  onAction: (action: JobAction) => void;
  onShell: (action: 'open' | 'reveal', path: string) => void;
  /** The item whose after-view is open, if any. */
  comparing: number | null;
  onCompare: (itemIndex: number | null) => void;
}

function fractionOf(job: JobSnapshot): number {
  if (job.state === 'completed') return 1;
  return job.progress?.fraction ?? 0;
}

function timeTaken(job: JobSnapshot): number | null {
  if (!job.startedAt || !job.finishedAt) return null;
  return Math.max(0, Date.parse(job.finishedAt) - Date.parse(job.startedAt));
}

export function JobCard({ job, thumbnail, canMoveUp, canMoveDown, busy, onAction, onShell, comparing, onCompare }: JobCardProps) {
  const { t } = useTranslation();
  const first = job.items[0];
  const input = first?.input ?? job.spec.inputs[0] ?? '';
  const output = first?.output ?? '';
  const fraction = fractionOf(job);
  const progress = job.progress;
  const tone = job.state === 'completed' ? 'completed' : job.state === 'failed' ? 'failed' : 'running';
  const extraItems = job.items.length - 1;
  const took = job.state === 'completed' ? timeTaken(job) : null;
  return (
    <article className="card job-card" aria-label={t('queue.jobLabel', { name: baseName(input) })} data-job-id={job.id} data-state={job.state}>
      <div className="thumb">
        {thumbnail ? <img src={pngDataUrl(thumbnail.after.pngBase64)} alt={t('queue.thumbnailAlt', { name: baseName(input) })} data-testid="job-thumbnail" data-live={thumbnail.live} /> : <span>{baseName(input).split('.').pop()?.toUpperCase()}</span>}
      </div>
      <div className="job-body">
        <div className="job-title">
          <strong className="truncate" title={input}>{baseName(input)}</strong>
          {extraItems > 0 ? <span className="muted small">{t('queue.moreItems', { count: extraItems })}</span> : null}
          <span className="spacer" />
          <span className={`badge ${job.state}`} data-testid="job-state">{t(`jobState.${job.state}`)}</span>
        </div>
        <p className="job-what" data-testid="job-what">{describeJob(t, job)}</p>
        <dl className="job-paths">
          <dt>{t('queue.input')}</dt>
          <dd title={input}>{input}</dd>
          <dt>{t('queue.output')}</dt>
          <dd title={output}>{output || t('queue.outputPending')}</dd>
        </dl>
        <ProgressBar fraction={fraction} label={t('queue.progressOf', { name: baseName(input) })} tone={tone} />
        <div className="job-stats">
          <span data-testid="job-percent">{formatPercent(fraction)}</span>
          {progress && job.state === 'running' ? (
            <>
              <span>{progress.framesTotal ? t('queue.frames', { done: progress.framesDone, total: progress.framesTotal }) : t('queue.framesOpen', { done: progress.framesDone })}</span>
              <span>{t('queue.fps', { fps: progress.fps.toFixed(1) })}</span>
              <span>{progress.etaMs === null ? t('queue.etaUnknown') : t('queue.eta', { time: formatDuration(progress.etaMs) })}</span>
            </>
          ) : null}
          {took !== null ? <span data-testid="job-took">{t('results.took', { time: formatDuration(took) })}</span> : null}
        </div>
        {job.error ? <div className="notice error small" role="status">{guiMessage(t, job.error)}</div> : null}
        <JobOutputs job={job} comparing={comparing} onCompare={onCompare} onShell={onShell} />
        <JobActions job={job} canMoveUp={canMoveUp} canMoveDown={canMoveDown} busy={busy} onAction={onAction} />
        {comparing !== null ? <ResultCompare job={job} itemIndex={comparing} /> : null}
      </div>
    </article>
  );
}
