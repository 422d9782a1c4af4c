// What a job will cost before it is queued: items, frames, output size, work
// space and time, from jobs.estimate (asked again when the spec settles). A
// problem it finds is reported to the owner (to mark the field and hold back
// "Add to queue") and forgotten as soon as the spec changes: never stale.
// Files of a batch that cannot be read hold nothing back: they are listed as
// a warning (the job runs the others and marks these failed).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobEstimate } from '../../common/api/api-types.ts';
import type { JobSpecInput } from '../../common/jobs.ts';
import { ApiCallError, messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { formatBytes } from '../../common/format-bytes.ts';
import { baseName, formatDuration } from '../format.ts';
import { toGuiError, withoutFlags, type GuiError } from '../gui-error.ts';
import { useDebounced } from '../hooks/useDebounced.ts';

interface EstimatePanelProps {
  spec: JobSpecInput | null;
  /** The problem the estimate found for the current spec, or null (also while it is being asked). */
  onProblem?: (problem: GuiError | null) => void;
}

export function EstimatePanel({ spec, onProblem }: EstimatePanelProps) {
  const { t } = useTranslation();
  const api = useApi();
  const current = spec ? JSON.stringify(spec) : null;
  const key = useDebounced(current, 400);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [answer, setAnswer] = useState<{ key: string; problem: GuiError } | null>(null);
  const problem = answer && answer.key === current ? answer.problem : null;

  useEffect(() => {
    onProblem?.(problem);
  }, [onProblem, problem]);

  useEffect(() => {
    setAnswer(null);
    if (!key) {
      setEstimate(null);
      return;
    }
    let live = true;
    unwrap(api.jobs.estimate(JSON.parse(key) as JobSpecInput)).then(
      (next) => { if (live) setEstimate(next); },
      (failure: unknown) => {
        if (!live) return;
        setEstimate(null);
        setAnswer({ key, problem: failure instanceof ApiCallError ? toGuiError(t, failure.error) : { message: messageOf(failure), field: null } });
      },
    );
    return () => { live = false; };
  }, [api, key, t]);
  const error = problem?.message ?? null;

  return (
    <div className="card stack" aria-live="polite" aria-label={t('estimate.title')}>
      <h3>{t('estimate.title')}</h3>
      {!spec ? <p className="muted small">{t('estimate.needsSpec')}</p> : null}
      {error ? <p className="error small">{error}</p> : null}
      {estimate && spec ? (
        <dl className="job-paths" data-testid="estimate">
          <dt>{t('estimate.items')}</dt><dd>{estimate.items}</dd>
          <dt>{t('estimate.frames')}</dt><dd>{estimate.frames}</dd>
          <dt>{t('estimate.outputSize')}</dt><dd>{formatBytes(estimate.outputBytes)}</dd>
          <dt>{t('estimate.workSpace')}</dt><dd>{formatBytes(estimate.workBytes)}</dd>
          <dt>{t('estimate.time')}</dt><dd>{estimate.seconds === null ? t('estimate.timeUnknown') : formatDuration(estimate.seconds * 1000)}</dd>
        </dl>
      ) : null}
      {estimate && spec && estimate.unreadable.length > 0 ? (
        <div className="notice warn small" role="status" data-testid="estimate-unreadable">
          <p>{t('estimate.unreadable', { count: estimate.unreadable.length })}</p>
          <ul>
            {estimate.unreadable.map((entry) => (
              <li key={entry.input}><strong>{baseName(entry.input)}</strong>: {withoutFlags(t, entry.error.userMessage)}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
