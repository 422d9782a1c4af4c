// Each file of a job with its own state, and for a finished one what came
// out: its size, resolution and duration, with Download (browser: the file
// comes from the machine that ran the job) or Open / Show in folder (desktop),
// and Compare (both hosts), which opens the after-view of the real output. A batch card
// shows every file this way, failures with their reason. (For a single file
// in the desktop app, Open and Show in folder are the card's own actions.)
import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { MediaProbe } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import { jobFileUrl } from '../../common/api/transfer.ts';
import type { JobItemSnapshot, JobSnapshot } from '../../common/jobs.ts';
import { unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { baseName, folderOf, formatDuration } from '../format.ts';
import { guiMessage } from '../gui-error.ts';

/** Items whose facts are looked up (a large batch lists the rest without them). */
const MAX_DESCRIBED = 20;

export interface OutputFacts {
  probe: MediaProbe | null;
  sizeBytes: number | null;
}

interface JobOutputsProps {
  job: JobSnapshot;
  comparing: number | null;
  onCompare: (itemIndex: number | null) => void;
  onShell: (action: 'open' | 'reveal', path: string) => void;
}

function useOutputFacts(job: JobSnapshot): Record<number, OutputFacts> {
  const api = useApi();
  const [facts, setFacts] = useState<Record<number, OutputFacts>>({});
  const finished = job.items.map((item, index) => (item.state === 'completed' && index < MAX_DESCRIBED ? item.output : '')).join('\n');
  useEffect(() => {
    let live = true;
    job.items.forEach((item, index) => {
      if (item.state !== 'completed' || index >= MAX_DESCRIBED) return;
      void Promise.all([
        unwrap(api.preview.probe({ path: item.output })).catch(() => null),
        unwrap(api.files.list({ dir: folderOf(item.output) })).then((listing) => listing.entries.find((entry) => entry.path === item.output)?.sizeBytes ?? null, () => null),
      ]).then(([probe, sizeBytes]) => {
        if (live) setFacts((current) => ({ ...current, [index]: { probe, sizeBytes } }));
      });
    });
    return () => { live = false; };
    // `finished` changes exactly when an item's output is done.
  }, [api, finished]);
  return facts;
}

function describe(t: TFunction, facts: OutputFacts | undefined): string {
  if (!facts) return t('results.measuring');
  const parts: string[] = [];
  if (facts.sizeBytes !== null) parts.push(formatBytes(facts.sizeBytes));
  if (facts.probe) {
    parts.push(`${facts.probe.width}×${facts.probe.height}`);
    // A clip under ten seconds keeps its tenths, so a short one does not read "0s".
    const seconds = facts.probe.durationSeconds;
    const time = seconds < 10 ? `${(Math.round(seconds * 10) / 10).toString()}s` : formatDuration(seconds * 1000);
    if (facts.probe.kind === 'video') parts.push(t('results.duration', { time, fps: Math.round(facts.probe.frameRate * 100) / 100 }));
  }
  return parts.join(' · ');
}

export function JobOutputs({ job, comparing, onCompare, onShell }: JobOutputsProps) {
  const { t } = useTranslation();
  const host = useHost();
  const facts = useOutputFacts(job);
  const desktop = host.kind === 'electron';
  const single = job.items.length === 1;
  const jobEnded = job.state === 'failed' || job.state === 'cancelled' || job.state === 'completed';
  if (job.items.length === 0) return null;
  if (single && job.items[0]?.state !== 'completed') return null;
  return (
    <ul className="job-items" aria-label={t('results.filesOf', { name: job.label })}>
      {job.items.map((item: JobItemSnapshot, index) => {
        const name = baseName(item.input);
        const done = item.state === 'completed';
        // A job that ended (failed, cancelled) before reaching a file leaves it 'queued': say it was not run.
        const notRun = jobEnded && !done && item.state !== 'failed' && item.state !== 'cancelled';
        return (
          <li key={`${index}-${item.input}`} className="job-item" data-item-state={notRun ? 'not-run' : item.state}>
            <div className="row">
              <span className="truncate spacer" title={done ? item.output : item.input}>{done ? baseName(item.output) : name}</span>
              {single ? null : <span className={`badge ${notRun ? 'cancelled' : item.state}`}>{notRun ? t('results.notRun') : t(`jobState.${item.state}`)}</span>}
            </div>
            {done ? (
              <>
                <span className="muted small" data-testid="output-facts">{describe(t, facts[index])}</span>
                <div className="row wrap" role="group" aria-label={t('results.actionsFor', { name: baseName(item.output) })}>
                  {desktop ? (single ? null : (
                    <>
                      <button type="button" className="button small" onClick={() => onShell('open', item.output)}>{t('results.open')}</button>
                      <button type="button" className="button small" onClick={() => onShell('reveal', item.output)}>{t('results.reveal')}</button>
                    </>
                  )) : (
                    <a className="button small primary" href={jobFileUrl(job.id, index, 'output', true)} download={baseName(item.output)} aria-label={t('results.downloadLabel', { name: baseName(item.output) })}>
                      {t('results.download')}
                    </a>
                  )}
                  <button type="button" className="button small" aria-expanded={comparing === index} onClick={() => onCompare(comparing === index ? null : index)} aria-label={t('results.compareLabel', { name })}>
                    {comparing === index ? t('results.closeCompare') : t('results.compare')}
                  </button>
                </div>
              </>
            ) : item.error ? <span className="error small">{guiMessage(t, item.error)}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
