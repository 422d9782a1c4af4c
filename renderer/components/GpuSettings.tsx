// The Settings screen's GPU section: what is installed for NVIDIA GPUs (the
// CUDA and TensorRT runtime of onnxruntime, in the data folder), its size,
// an install with its progress and a remove. Where an install cannot help
// (no NVIDIA driver, not Linux x64) it says why, and that processing runs on
// the processor instead; the technical detail stays behind "Details".
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuEvent, GpuStatusView } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { gpuInstallFraction, gpuSetupView } from '../gpu-setup-view.ts';
import { withoutFlags } from '../gui-error.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ProgressBar } from './ProgressBar.tsx';

type Busy = 'install' | 'remove' | null;

export function GpuSettings() {
  const { t } = useTranslation();
  const api = useApi();
  const [status, setStatus] = useState<GpuStatusView | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [progress, setProgress] = useState<GpuEvent | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    unwrap(api.gpu.status()).then(
      (next) => { if (live) setStatus(next); },
      (failure: unknown) => { if (live) setError(withoutFlags(t, messageOf(failure))); },
    );
    return () => { live = false; };
  }, [api, t]);

  useEffect(() => api.gpu.onEvent((event) => setProgress(event)), [api]);

  async function run(action: Exclude<Busy, null>) {
    setBusy(action);
    setError(null);
    setProgress(null);
    try {
      setStatus(await unwrap(action === 'install' ? api.gpu.install({ runtime: 'cuda' }) : api.gpu.remove({ runtime: 'cuda' })));
    } catch (failure) {
      setError(withoutFlags(t, messageOf(failure)));
    } finally {
      setBusy(null);
      setProgress(null);
    }
  }

  const view = status ? gpuSetupView(status) : null;
  const missing = view && view.kind !== 'not-offered' ? view.missing : [];
  const fraction = gpuInstallFraction(progress);
  return (
    <div className="card stack" aria-labelledby="gpu-title" data-testid="gpu-settings">
      <h2 id="gpu-title">{t('gpu.title')}</h2>
      <p className="muted small">{t('gpu.intro')}</p>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {!status && !error ? <p className="muted small" role="status">{t('common.loading')}</p> : null}
      {view?.kind === 'not-offered' ? <p className="notice small" data-gpu-state="not-offered">{t('gpu.notOffered')}</p> : null}
      {view?.kind === 'no-nvidia' ? <p className="notice small" data-gpu-state="no-nvidia">{t('gpu.noNvidia')}</p> : null}
      {view?.kind === 'ready' ? (
        <p className="small" data-gpu-state="ready">{missing.some((entry) => entry.neededFor === 'cuda') ? t('gpu.readyNeedsMore') : t('gpu.ready')}</p>
      ) : null}
      {view?.kind === 'installed' ? (
        <p className="small" data-gpu-state="installed">
          {view.sizeBytes !== null ? t('gpu.installedSize', { size: formatBytes(view.sizeBytes) }) : t('gpu.installed')}{' '}
          {view.active ? t('gpu.activeNow') : t('gpu.activeNext')}
        </p>
      ) : null}
      {status?.providerPackage && (view?.kind === 'ready' || view?.kind === 'installed') ? (
        <p className="muted small">{t('gpu.package', { id: status.providerPackage.id, version: status.providerPackage.version, onnxruntime: status.onnxruntimeVersion })}</p>
      ) : null}
      {busy === 'install' ? (
        <div className="stack" data-testid="gpu-progress">
          <ProgressBar fraction={fraction ?? 0} label={t('gpu.progressLabel')} />
          <span className="muted small" role="status">
            {progress?.stage === 'download' && progress.bytes !== null
              ? t('gpu.downloading', { done: formatBytes(progress.bytes), total: progress.totalBytes ? formatBytes(progress.totalBytes) : '?' })
              : t(`gpu.stage.${progress?.stage ?? 'resolve'}`)}
          </span>
        </div>
      ) : null}
      <div className="row wrap">
        {view?.kind === 'ready' ? (
          <button type="button" className="button primary" disabled={busy !== null} onClick={() => void run('install')}>
            {busy === 'install' ? t('gpu.installing') : t('gpu.install')}
          </button>
        ) : null}
        {view?.kind === 'installed' ? (
          <button type="button" className="button danger" disabled={busy !== null} onClick={() => void run('remove')}>
            {busy === 'remove' ? t('gpu.removing') : t('gpu.remove')}
          </button>
        ) : null}
      </div>
      {view && (view.kind === 'not-offered' || missing.length > 0) ? (
        <details className="small">
          <summary>{t('gpu.details')}</summary>
          {view.kind === 'not-offered' ? <p className="muted">{view.detail}</p> : (
            <>
              <p className="muted">{t('gpu.missingTitle')}</p>
              <ul className="muted">
                {missing.map((entry) => <li key={entry.what}><strong>{entry.what}</strong>: {entry.hint}</li>)}
              </ul>
            </>
          )}
        </details>
      ) : null}
    </div>
  );
}
