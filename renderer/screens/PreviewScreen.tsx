// Try a chain before committing to the whole job: choose a file, pick a frame
// on the timeline, run a preset or chain on it and compare; for a video,
// render a few seconds from that frame as a clip (cancelable) and play it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaProbe, PreviewClip, PreviewPair } from '../../common/api/api-types.ts';
import type { Step } from '../../common/job-spec.ts';
import { ApiCallError, messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { ChainEditor } from '../components/ChainEditor.tsx';
import { ClipPlayer } from '../components/ClipPlayer.tsx';
import { CompareView } from '../components/CompareView.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Field } from '../components/Field.tsx';
import { FrameTimeline } from '../components/FrameTimeline.tsx';
import { NumberInput } from '../components/NumberInput.tsx';
import { PathPicker } from '../components/PathPicker.tsx';
import { useDebounced } from '../hooks/useDebounced.ts';
import { useModels } from '../hooks/useModels.ts';
import { usePresets } from '../hooks/usePresets.ts';
import type { JobDraft } from '../App.tsx';
import { defaultStep, validateStep, type StepDraft } from '../step-validation.ts';

interface PreviewScreenProps {
  /** "Add to queue": the New job screen with this file and chain. */
  onAddToQueue?: (draft: JobDraft) => void;
}

export function PreviewScreen({ onAddToQueue }: PreviewScreenProps = {}) {
  const { t } = useTranslation();
  const api = useApi();
  const presets = usePresets();
  const { models, activity } = useModels();
  const [input, setInput] = useState('');
  const [probe, setProbe] = useState<MediaProbe | null>(null);
  const [frameIndex, setFrameIndex] = useState(0);
  const [presetId, setPresetId] = useState('');
  const [drafts, setDrafts] = useState<StepDraft[]>([defaultStep('upscale')]);
  const [pair, setPair] = useState<PreviewPair | null>(null);
  const [rendering, setRendering] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [clipSeconds, setClipSeconds] = useState<number | undefined>(2);
  const [clip, setClip] = useState<PreviewClip | null>(null);
  const [clipRunning, setClipRunning] = useState<string | null>(null);
  const [clipNotice, setClipNotice] = useState<string | null>(null);
  const settledInput = useDebounced(input.trim(), 300);

  useEffect(() => {
    setProbe(null);
    setPair(null);
    setClip(null);
    if (!settledInput) return;
    let live = true;
    unwrap(api.preview.probe({ path: settledInput })).then(
      (next) => { if (live) { setProbe(next); setFrameIndex(Math.floor(next.frameCount / 2)); setError(null); } },
      (failure: unknown) => { if (live) setError(messageOf(failure)); },
    );
    return () => { live = false; };
  }, [api, settledInput]);

  const preset = presets.value?.presets.find((entry) => entry.id === presetId)?.preset;
  const chainSteps: Step[] | null = preset ? preset.steps : drafts.map((draft) => validateStep(draft).step).every((step) => step !== null) ? drafts.map((draft) => validateStep(draft).step as Step) : null;

  async function render() {
    if (!chainSteps || !probe) return;
    setRendering(true);
    setError(null);
    try {
      setPair(await unwrap(api.preview.renderFrame({ input: probe.path, steps: chainSteps, frameIndex, processing: preset?.processing, maxSize: 1280 })));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setRendering(false);
    }
  }

  const clipSecondsValid = clipSeconds !== undefined && clipSeconds > 0 && clipSeconds <= 20;

  async function renderClip() {
    if (!chainSteps || !probe || !clipSecondsValid) return;
    const clipId = newClipId();
    setClipRunning(clipId);
    setClipNotice(null);
    setError(null);
    try {
      setClip(await unwrap(api.preview.renderClip({ clipId, input: probe.path, steps: chainSteps, startFrame: frameIndex, seconds: clipSeconds, processing: preset?.processing })));
    } catch (failure) {
      if (failure instanceof ApiCallError && failure.error.code === 'CANCELLED') setClipNotice(t('preview.clipCancelled'));
      else setError(messageOf(failure));
    } finally {
      setClipRunning(null);
    }
  }

  return (
    <section className="screen" aria-labelledby="preview-title">
      <header className="screen-header"><h1 id="preview-title">{t('preview.title')}</h1></header>
      <div className="card stack">
        <Field label={t('preview.input')}>
          <PathPicker mode="file" value={input} onChange={setInput} placeholder={t('preview.inputPlaceholder')} />
        </Field>
        {probe ? <FrameTimeline probe={probe} frameIndex={frameIndex} onChange={setFrameIndex} /> : null}
        <Field label={t('newJob.preset')}>
          <select className="input" value={presetId} onChange={(event) => setPresetId(event.target.value)}>
            <option value="">{t('newJob.customChain')}</option>
            {(presets.value?.presets ?? []).map((entry) => <option key={entry.id} value={entry.id}>{entry.preset.name}</option>)}
          </select>
        </Field>
        {presetId === '' ? <ChainEditor drafts={drafts} models={models} activity={activity} onChange={setDrafts} /> : null}
        <div className="row">
          <button type="button" className="button primary" disabled={!probe || !chainSteps || rendering} onClick={() => void render()}>
            {rendering ? t('preview.rendering') : t('preview.render')}
          </button>
          {onAddToQueue ? (
            <button type="button" className="button" disabled={!probe || !chainSteps} onClick={() => probe && chainSteps && onAddToQueue(presetId ? { inputs: [probe.path], presetId } : { inputs: [probe.path], steps: chainSteps })}>
              {t('preview.addToQueue')}
            </button>
          ) : null}
        </div>
        {probe?.kind === 'video' ? (
          <div className="row clip-row">
            <Field label={t('preview.clipSeconds')} error={clipSecondsValid ? undefined : t('preview.clipSecondsRange')}>
              <NumberInput value={clipSeconds} onChange={setClipSeconds} min={0.1} max={20} step={0.5} />
            </Field>
            {clipRunning ? (
              <>
                <span className="muted small" role="status">{t('preview.renderingClip')}</span>
                <button type="button" className="button" onClick={() => void api.preview.cancelClip({ clipId: clipRunning })}>{t('preview.cancelClip')}</button>
              </>
            ) : (
              <button type="button" className="button" disabled={!chainSteps || !clipSecondsValid || rendering} onClick={() => void renderClip()}>{t('preview.renderClip')}</button>
            )}
          </div>
        ) : probe ? <p className="muted small">{t('preview.clipOnlyVideo')}</p> : null}
        {clipNotice ? <div className="notice small" role="status">{clipNotice}</div> : null}
      </div>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {clip ? <ClipPlayer clip={clip} /> : null}
      {pair ? <CompareView pair={pair} /> : <div className="card empty">{t('preview.empty')}</div>}
    </section>
  );
}

/** A fresh id for a clip, chosen here so the clip can be cancelled while it renders. */
function newClipId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `clip-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
