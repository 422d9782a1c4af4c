// The queue: one card per job, newest activity first; actions call the API
// and the card updates from the job events that follow.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSnapshot } from '../../common/jobs.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import type { JobAction } from '../components/JobActions.tsx';
import { JobCard } from '../components/JobCard.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { useJobs } from '../hooks/useJobs.ts';
import type { Screen } from '../hooks/useHashRoute.ts';

export function QueueScreen({ navigate }: { navigate: (screen: Screen) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const { jobs, thumbnails, error, loading } = useJobs();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const queued = jobs.filter((job) => job.state === 'queued');

  async function perform(job: JobSnapshot, action: JobAction) {
    setBusyId(job.id);
    setActionError(null);
    const id = { id: job.id };
    const output = job.items.find((item) => item.state === 'completed')?.output ?? job.items[0]?.output ?? '';
    const queueIndex = queued.findIndex((entry) => entry.id === job.id);
    try {
      if (action === 'pause') await unwrap(api.jobs.pause(id));
      else if (action === 'resume') await unwrap(api.jobs.resume(id));
      else if (action === 'cancel') await unwrap(api.jobs.cancel(id));
      else if (action === 'retry') await unwrap(api.jobs.retry(id));
      else if (action === 'remove') await unwrap(api.jobs.remove(id));
      else if (action === 'up') await unwrap(api.jobs.reorder({ id: job.id, toIndex: Math.max(0, queueIndex - 1) }));
      else if (action === 'down') await unwrap(api.jobs.reorder({ id: job.id, toIndex: queueIndex + 1 }));
      else if (action === 'open') await unwrap(api.shell.openPath({ path: output }));
      else if (action === 'reveal') await unwrap(api.shell.showInFolder({ path: output }));
    } catch (failure) {
      setActionError(messageOf(failure));
    } finally {
      setBusyId(null);
    }
  }

  const running = jobs.filter((job) => job.state === 'running').length;
  return (
    <section className="screen" aria-labelledby="queue-title">
      <header className="screen-header">
        <h1 id="queue-title">{t('queue.title')}</h1>
        <span className="muted small">{t('queue.summary', { running, queued: queued.length, total: jobs.length })}</span>
        <span className="spacer" />
        <button type="button" className="button primary" onClick={() => navigate('new')}>{t('queue.newJob')}</button>
      </header>
      <ErrorNotice message={error ?? actionError} onDismiss={actionError ? () => setActionError(null) : undefined} />
      {loading ? <p className="muted">{t('common.loading')}</p> : null}
      {!loading && jobs.length === 0 ? (
        <div className="card empty">
          <p>{t('queue.empty')}</p>
          <button type="button" className="button primary" onClick={() => navigate('new')}>{t('queue.newJob')}</button>
        </div>
      ) : null}
      <div className="stack" role="list" aria-label={t('queue.title')}>
        {jobs.map((job) => {
          const index = queued.findIndex((entry) => entry.id === job.id);
          return (
            <div role="listitem" key={job.id}>
              <JobCard
                job={job}
                thumbnail={thumbnails[job.id]}
                canMoveUp={index > 0}
                canMoveDown={index >= 0 && index < queued.length - 1}
                busy={busyId === job.id}
                onAction={(action) => void perform(job, action)}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
