// What a job will cost before it is queued: items, frames, output size, work
// space and time, from jobs.estimate (asked again when the spec settles).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobEstimate } from '../../common/api/api-types.ts';
import type { JobSpecInput } from '../../common/jobs.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { formatBytes } from '../../common/format-bytes.ts';
import { formatDuration } from '../format.ts';
import { useDebounced } from '../hooks/useDebounced.ts';

export function EstimatePanel({ spec }: { spec: JobSpecInput | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const key = useDebounced(spec ? JSON.stringify(spec) : null, 400);
  const [estimate, setEstimate] = useState<JobEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!key) {
      setEstimate(null);
      setError(null);
      return;
    }
    let live = true;
    unwrap(api.jobs.estimate(JSON.parse(key) as JobSpecInput)).then(
      (next) => { if (live) { setEstimate(next); setError(null); } },
      (failure: unknown) => { if (live) { setEstimate(null); setError(messageOf(failure)); } },
    );
    return () => { live = false; };
  }, [api, key]);

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
    </div>
  );
}
