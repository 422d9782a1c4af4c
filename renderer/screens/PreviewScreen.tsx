// Try a chain on one frame before committing to the whole job: choose a file,
// pick a frame on the timeline, run a preset or chain on it, compare.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaProbe, PreviewPair } from '../../common/api/api-types.ts';
import type { Step } from '../../common/job-spec.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { ChainEditor } from '../components/ChainEditor.tsx';
import { CompareView } from '../components/CompareView.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Field } from '../components/Field.tsx';
import { FrameTimeline } from '../components/FrameTimeline.tsx';
import { PathPicker } from '../components/PathPicker.tsx';
import { useDebounced } from '../hooks/useDebounced.ts';
import { useModels } from '../hooks/useModels.ts';
import { usePresets } from '../hooks/usePresets.ts';
import { defaultStep, validateStep, type StepDraft } from '../step-validation.ts';

export function PreviewScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const presets = usePresets();
  const { models } = useModels();
  const [input, setInput] = useState('');
  const [probe, setProbe] = useState<MediaProbe | null>(null);
  const [frameIndex, setFrameIndex] = useState(0);
  const [presetId, setPresetId] = useState('');
  const [drafts, setDrafts] = useState<StepDraft[]>([defaultStep('upscale')]);
  const [pair, setPair] = useState<PreviewPair | null>(null);
  const [rendering, setRendering] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const settledInput = useDebounced(input.trim(), 300);

  useEffect(() => {
    setProbe(null);
    setPair(null);
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
        {presetId === '' ? <ChainEditor drafts={drafts} models={models} onChange={setDrafts} /> : null}
        <div className="row">
          <button type="button" className="button primary" disabled={!probe || !chainSteps || rendering} onClick={() => void render()}>
            {rendering ? t('preview.rendering') : t('preview.render')}
          </button>
          <button type="button" className="button" disabled title={t('preview.clipUnavailable')}>{t('preview.renderClip')}</button>
          <span className="muted small">{t('preview.clipUnavailable')}</span>
        </div>
      </div>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      {pair ? <CompareView pair={pair} /> : <div className="card empty">{t('preview.empty')}</div>}
    </section>
  );
}
