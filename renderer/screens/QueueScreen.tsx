// The queue: one card per job, newest activity first; actions call the API
// and the card updates from the job events that follow. The whole screen is
// a drop target (and "Choose a file" a picker): a file dropped here opens the
// quick-start panel above the cards, and the job it starts appears below.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { JobSnapshot } from '../../common/jobs.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { FarmPanel } from '../components/FarmPanel.tsx';
import { FileIntakeBar } from '../components/FileIntakeBar.tsx';
import type { JobAction } from '../components/JobActions.tsx';
import { JobCard } from '../components/JobCard.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { QuickStartPanel } from '../components/QuickStartPanel.tsx';
import { useFileIntake } from '../hooks/useFileIntake.ts';
import { useJobs } from '../hooks/useJobs.ts';
import { useSettings } from '../hooks/useSettings.tsx';
import type { Screen } from '../hooks/useHashRoute.ts';
import type { JobDraft } from '../App.tsx';
import { baseName } from '../format.ts';
import { toGuiError } from '../gui-error.ts';

interface QueueScreenProps {
  navigate: (screen: Screen) => void;
  /** The New job screen filled in: a quick start's "More options", or a failed job to edit. */
  onDraft: (draft: JobDraft) => void;
}

/** A failed or cancelled job as a New job to edit: its inputs, chain, output and overrides, and why it failed. */
function draftOf(t: TFunction, job: JobSnapshot): JobDraft {
  const { spec } = job;
  const error = job.error ?? job.items.find((item) => item.error)?.error ?? null;
  return {
    inputs: spec.inputs,
    steps: spec.steps,
    presetId: spec.presetId,
    outputFolder: spec.outputFolder,
    nameTemplate: spec.nameTemplate,
    overrides: {
      codec: spec.outputSettings?.codec,
      crf: spec.outputSettings?.crf,
      audio: spec.outputSettings?.audio,
      overwrite: spec.outputSettings?.overwrite || undefined,
      provider: spec.processing?.provider,
      tile: typeof spec.processing?.tile === 'number' ? spec.processing.tile : undefined,
    },
    problem: error && job.state === 'failed' ? toGuiError(t, error) : undefined,
  };
}

export function QueueScreen({ navigate, onDraft }: QueueScreenProps) {
  const { t } = useTranslation();
  const api = useApi();
  const { jobs, thumbnails, error, loading } = useJobs();
  const { settings } = useSettings();
  const farmSet = settings.farm.redisUrl !== null && settings.farm.sharedRoot !== null;
  const [busyId, setBusyId] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [comparing, setComparing] = useState<{ jobId: string; itemIndex: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const files = useFileIntake();
  const queued = jobs.filter((job) => job.state === 'queued');

  async function shell(action: 'open' | 'reveal', path: string) {
    setActionError(null);
    try {
      if (action === 'open') await unwrap(api.shell.openPath({ path }));
      else await unwrap(api.shell.showInFolder({ path }));
    } catch (failure) {
      setActionError(messageOf(failure));
    }
  }

  async function perform(job: JobSnapshot, action: JobAction) {
    if (action === 'edit') {
      onDraft(draftOf(t, job));
      navigate('new');
      return;
    }
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
  // A paused job keeps its turn (its decoder stays open so it resumes at once), so jobs behind it wait: say so, and which one to resume or cancel.
  const holder = running === 0 && queued.length > 0 ? jobs.find((job) => job.state === 'paused') : undefined;
  const intake = files.intake;
  return (
    <section
      className={`screen drop-screen${dragging ? ' dragging' : ''}`}
      aria-labelledby="queue-title"
      onDragOver={(event) => {
        if (![...event.dataTransfer.types].includes('Files')) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(event) => { if (event.currentTarget === event.target) setDragging(false); }}
      onDrop={(event) => {
        if (event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        setDragging(false);
        files.acceptFiles([...event.dataTransfer.files]);
      }}
    >
      <header className="screen-header">
        <h1 id="queue-title" tabIndex={-1}>{t('queue.title')}</h1>
        <span className="muted small">{t('queue.summary', { running, queued: queued.length, total: jobs.length })}</span>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => navigate('new')}>{t('queue.newJob')}</button>
      </header>
      {holder ? (
        <div className="notice warn row" role="status" data-testid="paused-holds">
          <span className="spacer">{t('queue.pausedHolds', { name: baseName(holder.items[0]?.input ?? holder.spec.inputs[0] ?? ''), count: queued.length })}</span>
          <button type="button" className="button small" disabled={busyId === holder.id} onClick={() => void perform(holder, 'resume')}>{t('queue.resumeHolder', { name: baseName(holder.items[0]?.input ?? holder.spec.inputs[0] ?? '') })}</button>
        </div>
      ) : null}
      {dragging ? <div className="drop-hint" aria-hidden="true">{t('quick.dropToStart')}</div> : null}
      <ErrorNotice message={error ?? actionError} onDismiss={actionError ? () => setActionError(null) : undefined} />
      {intake.phase === 'ready' ? (
        <QuickStartPanel
          key={intake.inputs.join('\n')}
          inputs={intake.inputs}
          probe={intake.probe}
          onStarted={() => files.cancel()}
          onMoreOptions={(inputs, steps) => { onDraft({ inputs, steps }); navigate('new'); }}
          onClose={files.cancel}
        />
      ) : (
        <FileIntakeBar intake={intake} empty={!loading && jobs.length === 0} onFiles={files.acceptFiles} onPaths={files.acceptPaths} onCancel={files.cancel} />
      )}
      {farmSet ? <FarmPanel /> : null}
      {loading ? <p className="muted">{t('common.loading')}</p> : null}
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
                onShell={(action, path) => void shell(action, path)}
                comparing={comparing?.jobId === job.id ? comparing.itemIndex : null}
                onCompare={(itemIndex) => setComparing(itemIndex === null ? null : { jobId: job.id, itemIndex })}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
