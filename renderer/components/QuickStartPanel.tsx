// Drop, pick, go: the panel a dropped or picked file opens. A few large
// choices fitted to the file (quick-start.ts), the first one chosen already;
// the chosen one is previewed on a frame from the middle of the file at once,
// before against after. Start queues it (downloading its model first when it
// is not installed, with the size and licence said beforehand); "More
// options" opens the chain editor with the choice filled in.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaProbe, PreviewPair } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import type { Step } from '../../common/job-spec.ts';
import type { JobSnapshot } from '../../common/jobs.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { baseName } from '../format.ts';
import { useModels } from '../hooks/useModels.ts';
import { QUICK_STYLES, quickChoices, type QuickChoiceId, type QuickStyle } from '../quick-start.ts';
import { CompareView } from './CompareView.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ProgressBar } from './ProgressBar.tsx';

interface QuickStartPanelProps {
  inputs: string[];
  probe: MediaProbe;
  onStarted: (job: JobSnapshot) => void;
  onMoreOptions: (inputs: string[], steps: Step[]) => void;
  onClose: () => void;
}

const PREVIEW_SIZE = 720;
/** Drawn no wider than this, so Start stays in view under the preview on a laptop screen. */
const QUICK_PREVIEW_WIDTH = 480;

export function QuickStartPanel({ inputs, probe, onStarted, onMoreOptions, onClose }: QuickStartPanelProps) {
  const { t } = useTranslation();
  const api = useApi();
  const { models, activity } = useModels();
  const [style, setStyle] = useState<QuickStyle>(QUICK_STYLES[0]);
  const choices = quickChoices(probe, style);
  const [chosenId, setChosenId] = useState<QuickChoiceId>(choices[0]?.id ?? 'upscale');
  const chosen = choices.find((choice) => choice.id === chosenId) ?? choices[0];
  const [pair, setPair] = useState<{ key: string; pair: PreviewPair } | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const startButton = useRef<HTMLButtonElement>(null);
  const model = models.find((entry) => entry.id === chosen?.modelId);
  const needsDownload = model?.state === 'available';
  const download = chosen ? activity[chosen.modelId] : undefined;
  const previewKey = chosen ? JSON.stringify(chosen.steps) : '';
  const frameIndex = Math.floor(probe.frameCount / 2);

  useEffect(() => {
    startButton.current?.focus();
  }, []);

  useEffect(() => {
    setPreviewError(null);
    if (!chosen || model === undefined || needsDownload) return;
    let live = true;
    unwrap(api.preview.renderFrame({ input: probe.path, steps: chosen.steps, frameIndex, maxSize: PREVIEW_SIZE })).then(
      (next) => { if (live) setPair({ key: previewKey, pair: next }); },
      (failure: unknown) => { if (live) setPreviewError(messageOf(failure)); },
    );
    return () => { live = false; };
  }, [api, probe.path, previewKey, frameIndex, model === undefined, needsDownload]); // previewKey stands for chosen.steps

  async function start() {
    if (!chosen) return;
    setStarting(true);
    setError(null);
    try {
      if (needsDownload) await unwrap(api.models.pull({ id: chosen.modelId }));
      onStarted(await unwrap(api.jobs.enqueue({ inputs, steps: chosen.steps })));
    } catch (failure) {
      setError(messageOf(failure));
      setStarting(false);
    }
  }

  const name = baseName(inputs[0] ?? '');
  const facts = probe.kind === 'video'
    ? t('quick.videoFacts', { width: probe.width, height: probe.height, fps: Math.round(probe.frameRate * 100) / 100, frames: probe.frameCount })
    : t('quick.imageFacts', { width: probe.width, height: probe.height });
  const shownPair = pair?.key === previewKey ? pair.pair : null;
  return (
    <section className="card stack quick-start" aria-labelledby="quick-start-title" data-testid="quick-start">
      <div className="row">
        <h2 id="quick-start-title" className="spacer truncate">{inputs.length > 1 ? t('quick.titleMany', { name, count: inputs.length - 1 }) : t('quick.title', { name })}</h2>
        <span className="muted small">{facts}</span>
      </div>
      <div role="radiogroup" aria-label={t('quick.choicesLabel')} className="quick-choices">
        {choices.map((choice) => (
          <button
            key={choice.id}
            type="button"
            role="radio"
            aria-checked={choice.id === chosen?.id}
            className={`quick-choice${choice.id === chosen?.id ? ' chosen' : ''}`}
            onClick={() => setChosenId(choice.id)}
          >
            <strong>{t(`quick.choice.${choice.id}`)}</strong>
            <span className="muted small">
              {choice.id === 'smooth'
                ? t('quick.toFps', { from: Math.round(probe.frameRate * 100) / 100, to: choice.result.fps })
                : choice.id === 'upscale'
                  ? t('quick.toSize', { width: choice.result.width, height: choice.result.height })
                  : t('quick.styleSub')}
            </span>
          </button>
        ))}
      </div>
      {chosen?.id === 'stylize' ? (
        <label className="row small">
          <span>{t('quick.style')}</span>
          <select className="input" style={{ maxWidth: 220 }} value={style} onChange={(event) => setStyle(event.target.value as QuickStyle)}>
            {QUICK_STYLES.map((entry) => <option key={entry} value={entry}>{t(`quick.styles.${entry}`)}</option>)}
          </select>
        </label>
      ) : null}
      {chosen && model ? (
        <p className="muted small" data-testid="quick-why">
          {t(`quick.why.${chosen.id}`, { model: model.displayName })}
        </p>
      ) : null}
      {needsDownload && model ? (
        <div className="notice warn small" role="status" data-testid="quick-download">
          {download
            ? t('quick.downloading', { name: model.displayName })
            : t('quick.needsDownload', { name: model.displayName, size: model.sizeBytes > 0 ? formatBytes(model.sizeBytes) : t('quick.sizeUnknown'), licence: model.licence })}
          {download ? <ProgressBar fraction={download.fraction ?? 0} label={t('quick.downloadProgress', { name: model.displayName })} /> : null}
          {download?.bytes ? <span className="muted">{t('models.bytesOf', { done: formatBytes(download.bytes.done), total: formatBytes(download.bytes.total) })}</span> : null}
        </div>
      ) : null}
      <div className="quick-preview" aria-live="polite">
        {shownPair ? <CompareView pair={shownPair} fitWidth={QUICK_PREVIEW_WIDTH} /> : null}
        {!shownPair && !previewError && !needsDownload ? <p className="muted small" role="status">{t('quick.previewing')}</p> : null}
        {needsDownload ? <p className="muted small">{t('quick.previewAfterDownload')}</p> : null}
        {previewError ? <div className="notice warn small" role="status">{t('quick.previewFailed', { reason: previewError })}</div> : null}
      </div>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      <div className="row">
        <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
        <span className="spacer" />
        <button type="button" className="button" disabled={!chosen} onClick={() => chosen && onMoreOptions(inputs, chosen.steps)}>{t('quick.moreOptions')}</button>
        <button ref={startButton} type="button" className="button primary large" disabled={!chosen || starting} onClick={() => void start()}>
          {starting ? t('quick.starting') : needsDownload ? t('quick.downloadAndStart') : t('quick.start')}
        </button>
      </div>
    </section>
  );
}
