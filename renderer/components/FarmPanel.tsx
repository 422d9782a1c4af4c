// The Queue screen's view of the farm (shown when one is set in Settings):
// each worker's name, host, provider, speed and the segment it renders, and
// each unfinished farm job's segments by state. It asks farm:status every
// two seconds while it is on screen.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FarmJobView, FarmSegmentState, FarmStatusView } from '../../common/api/api-types.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { FarmProblemText } from './FarmProblemText.tsx';

const POLL_MS = 2000;
const SHOWN_STATES: readonly FarmSegmentState[] = ['done', 'active', 'waiting', 'failed'];
const STATE_COLOURS: Record<FarmSegmentState, string> = {
  done: 'var(--ok)',
  active: 'var(--accent)',
  waiting: 'var(--surface-2)',
  failed: 'var(--danger)',
  missing: 'var(--surface-2)',
};

function useFarmStatus(): { status: FarmStatusView | null; error: string | null } {
  const api = useApi();
  const [status, setStatus] = useState<FarmStatusView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = async () => {
      try {
        const next = await unwrap(api.farm.status(undefined, { signal: controller.signal }));
        if (!stopped) {
          setStatus(next);
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError(messageOf(failure));
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [api]);
  return { status, error };
}

function SegmentStrip({ job }: { job: FarmJobView }) {
  const { t } = useTranslation();
  const counts = Object.fromEntries(SHOWN_STATES.map((state) => [state, job.segments.filter((segment) => segment.state === state || (state === 'waiting' && segment.state === 'missing')).length]));
  return (
    <div className="stack" style={{ gap: 4 }}>
      <div className="row small">
        <span className="truncate spacer" title={job.input}>{job.input}</span>
        <span className="muted">{t('farm.frames', { done: job.framesDone, total: job.framesTotal })}</span>
      </div>
      <div role="img" aria-label={t('farm.segmentSummary', counts)} style={{ display: 'flex', gap: 2, height: 10 }}>
        {job.segments.map((segment) => (
          <span key={segment.index} title={`${segment.index}: ${t(`farm.states.${segment.state}`)}${segment.worker ? ` (${segment.worker})` : ''}`} style={{ flex: segment.frameCount, background: STATE_COLOURS[segment.state], borderRadius: 2, outline: '1px solid var(--border)' }} />
        ))}
      </div>
      <span className="muted small" data-testid="farm-segment-counts">{t('farm.segmentSummary', counts)}</span>
    </div>
  );
}

export function FarmPanel() {
  const { t } = useTranslation();
  const { status, error } = useFarmStatus();
  return (
    <section className="card stack" aria-labelledby="farm-panel-title" data-testid="farm-panel">
      <div className="row">
        <h2 id="farm-panel-title" className="spacer">{t('farm.panelTitle')}</h2>
        {status && status.problem === null ? <span className="badge ok">{t('farm.workersUp', { count: status.workers.length })}</span> : null}
      </div>
      {error ? <p className="error small">{error}</p> : null}
      {status ? <FarmProblemText problem={status.problem} detail={status.detail} /> : error ? null : <p className="muted small" role="status">{t('common.loading')}</p>}
      {status && status.workers.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr><th>{t('farm.worker')}</th><th>{t('farm.host')}</th><th>{t('farm.provider')}</th><th>{t('farm.fps')}</th><th>{t('farm.segment')}</th></tr>
            </thead>
            <tbody>
              {status.workers.map((worker) => (
                <tr key={worker.name}>
                  <td className="truncate">{worker.name}</td>
                  <td className="truncate">{worker.host}</td>
                  <td>{worker.provider}</td>
                  <td>{worker.fps.toFixed(1)}</td>
                  <td className="small">{worker.segment ? t('farm.renderingSegment', { index: worker.segment.index, frames: worker.segment.frames }) : <span className="muted">{t('farm.idle')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {status && status.jobs.length > 0 ? (
        <div className="stack">
          <h3>{t('farm.jobs')}</h3>
          {status.jobs.map((job) => <SegmentStrip key={job.farmJobId} job={job} />)}
        </div>
      ) : null}
    </section>
  );
}
