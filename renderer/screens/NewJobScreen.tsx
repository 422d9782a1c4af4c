// A new job: inputs, a preset or a chain built step by step, where the output
// goes, per-job overrides, and the estimate before it is queued. The spec is
// checked with the shared jobSpecSchema as it changes.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { jobSpecSchema, type JobSpecInput, type RenderTarget } from '../../common/jobs.ts';
import { ApiCallError, messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { ChainEditor } from '../components/ChainEditor.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { modelsToDownload } from '../components/ModelDownloadOffer.tsx';
import { EstimatePanel } from '../components/EstimatePanel.tsx';
import { Field } from '../components/Field.tsx';
import { InputList } from '../components/InputList.tsx';
import { JobOverrides, type Overrides } from '../components/JobOverrides.tsx';
import { PathPicker } from '../components/PathPicker.tsx';
import { RenderOnChoice } from '../components/RenderOnChoice.tsx';
import type { JobDraft } from '../App.tsx';
import { toGuiError, type GuiError } from '../gui-error.ts';
import type { Screen } from '../hooks/useHashRoute.ts';
import { useModels } from '../hooks/useModels.ts';
import { usePresets } from '../hooks/usePresets.ts';
import { useSettings } from '../hooks/useSettings.tsx';
import { defaultStep, issuesByField, stripEmpty, validateStep, type StepDraft } from '../step-validation.ts';

function buildSpec(inputs: string[], presetId: string, drafts: StepDraft[], outputFolder: string, nameTemplate: string, overrides: Overrides, renderOn: RenderTarget = 'local'): JobSpecInput {
  const outputSettings = stripEmpty({ codec: overrides.codec, crf: overrides.crf, audio: overrides.audio, overwrite: overrides.overwrite });
  const processing = stripEmpty({ provider: overrides.provider, tile: overrides.tile });
  const spec: Record<string, unknown> = { inputs, nameTemplate };
  if (presetId) spec.presetId = presetId;
  else spec.steps = drafts.map((draft) => validateStep(draft).step ?? stripEmpty(draft));
  if (outputFolder.trim()) spec.outputFolder = outputFolder.trim();
  if (Object.keys(outputSettings).length > 0) spec.outputSettings = outputSettings;
  if (Object.keys(processing).length > 0) spec.processing = processing;
  if (renderOn !== 'local') spec.renderOn = renderOn;
  return spec as JobSpecInput;
}

interface NewJobScreenProps {
  navigate: (screen: Screen) => void;
  /** Inputs and chain to start from (the quick start's "More options"). */
  initial?: JobDraft | null;
  onInitialUsed?: () => void;
}

export function NewJobScreen({ navigate, initial, onInitialUsed }: NewJobScreenProps) {
  const { t } = useTranslation();
  const api = useApi();
  const { settings } = useSettings();
  const presets = usePresets();
  const { models, activity } = useModels();
  const [inputs, setInputs] = useState<string[]>(() => initial?.inputs ?? []);
  const [presetId, setPresetId] = useState(() => initial?.presetId ?? '');
  const [drafts, setDrafts] = useState<StepDraft[]>(() => initial?.steps?.map((step) => ({ ...step })) ?? [defaultStep('upscale')]);
  const [outputFolder, setOutputFolder] = useState(() => initial?.outputFolder ?? settings.outputDefaults.folder ?? '');
  const [nameTemplate, setNameTemplate] = useState(() => initial?.nameTemplate ?? settings.outputDefaults.nameTemplate);
  const [overrides, setOverrides] = useState<Overrides>(() => initial?.overrides ?? {});
  const [renderOn, setRenderOn] = useState<RenderTarget>('local');
  const [submitting, setSubmitting] = useState(false);
  // A failed job brought back to be edited keeps its problem on the field at fault until the spec changes.
  const [submitted, setSubmitted] = useState<{ key: string; problem: GuiError } | null>(() => {
    const problem = initial?.problem;
    if (!initial || !problem) return null;
    const steps = initial.steps?.map((step) => ({ ...step })) ?? [defaultStep('upscale')];
    const outputFolder = initial.outputFolder ?? settings.outputDefaults.folder ?? '';
    return { key: JSON.stringify(buildSpec(initial.inputs, initial.presetId ?? '', steps, outputFolder, initial.nameTemplate ?? settings.outputDefaults.nameTemplate, initial.overrides ?? {})), problem };
  });
  const [estimateProblem, setEstimateProblem] = useState<GuiError | null>(null);

  useEffect(() => {
    if (initial) onInitialUsed?.();
  }, [initial, onInitialUsed]);

  // After a refused Add to queue, keyboard and screen-reader users land on the control at fault (marked, its section open, by now).
  useEffect(() => {
    if (submitted?.problem.field) document.querySelector<HTMLElement>('main [aria-invalid="true"]')?.focus();
  }, [submitted]);

  const spec = useMemo(() => buildSpec(inputs, presetId, drafts, outputFolder, nameTemplate, overrides, renderOn), [inputs, presetId, drafts, outputFolder, nameTemplate, overrides, renderOn]);
  const checked = jobSpecSchema.safeParse(spec);
  const specKey = JSON.stringify(spec);
  // An answer from the engine holds only for the spec it was about: any edit clears it.
  const submitProblem = submitted?.key === specKey ? submitted.problem : null;
  const problem = submitProblem ?? estimateProblem;
  const errors: Record<string, string> = { ...(checked.success ? {} : issuesByField(checked.error)) };
  if (problem?.field && !errors[problem.field]) errors[problem.field] = problem.message;
  const hasOwnControl = (field: string | null) => field !== null && (field === 'outputFolder' || field === 'nameTemplate' || field.startsWith('outputSettings.') || field.startsWith('processing.'));
  const overridesAtFault = Object.keys(errors).some((field) => field.startsWith('outputSettings.') || field.startsWith('processing.'));
  const chainValid = presetId !== '' || drafts.every((draft) => validateStep(draft).step !== null);
  // Models offered for download under their steps: Add to queue fetches them first; the estimate waits for them.
  const toDownload = presetId === '' ? modelsToDownload(drafts, models) : [];

  async function submit() {
    setSubmitting(true);
    setSubmitted(null);
    try {
      for (const model of toDownload) await unwrap(api.models.pull({ id: model.id }));
      await unwrap(api.jobs.enqueue(spec));
      navigate('queue');
    } catch (failure) {
      const problem = failure instanceof ApiCallError ? toGuiError(t, failure.error) : { message: messageOf(failure), field: null };
      setSubmitted({ key: specKey, problem });
      setSubmitting(false);
    }
  }

  return (
    <section className="screen" aria-labelledby="new-title">
      <header className="screen-header"><h1 id="new-title">{t('newJob.title')}</h1></header>
      <div className="card stack">
        <h2>{t('newJob.inputs')}</h2>
        <InputList paths={inputs} onChange={setInputs} />
      </div>
      <div className="card stack">
        <h2>{t('newJob.whatToDo')}</h2>
        <Field label={t('newJob.preset')} hint={t('newJob.presetHint')}>
          <select className="input" value={presetId} onChange={(event) => setPresetId(event.target.value)}>
            <option value="">{t('newJob.customChain')}</option>
            {(presets.value?.presets ?? []).map((preset) => <option key={preset.id} value={preset.id}>{preset.preset.name}</option>)}
          </select>
        </Field>
        {presetId === '' ? <ChainEditor drafts={drafts} models={models} activity={activity} onChange={setDrafts} /> : null}
      </div>
      <div className="card stack">
        <h2>{t('newJob.output')}</h2>
        <div className="grid-2">
          <Field label={t('newJob.outputFolder')} hint={t('newJob.outputFolderHint')} error={errors.outputFolder}>
            <PathPicker mode="folder" value={outputFolder} onChange={setOutputFolder} placeholder={t('newJob.besideInput')} />
          </Field>
          <Field label={t('newJob.nameTemplate')} hint={t('newJob.nameTemplateHint')} error={errors.nameTemplate}>
            <input className="input" value={nameTemplate} onChange={(event) => setNameTemplate(event.target.value)} />
          </Field>
        </div>
        <RenderOnChoice value={renderOn} onChange={setRenderOn} />
        <details open={overridesAtFault || undefined}>
          <summary>{t('newJob.overrides')}</summary>
          <div style={{ marginTop: 10 }}><JobOverrides value={overrides} errors={errors} onChange={setOverrides} /></div>
        </details>
      </div>
      <EstimatePanel spec={checked.success && chainValid && toDownload.length === 0 ? spec : null} onProblem={setEstimateProblem} />
      <ErrorNotice message={submitProblem && !hasOwnControl(submitProblem.field) ? submitProblem.message : null} onDismiss={() => setSubmitted(null)} />
      <div className="row">
        <span className="muted small spacer">{inputs.length === 0 ? t('newJob.needInputs') : !chainValid ? t('newJob.fixChain') : problem ? t('newJob.fixProblem') : (errors[''] ?? '')}</span>
        <button type="button" className="button" onClick={() => navigate('queue')}>{t('common.cancel')}</button>
        <button type="button" className="button primary" disabled={!checked.success || !chainValid || submitting || problem !== null} onClick={() => void submit()}>{toDownload.length > 0 ? t('newJob.downloadAndAdd') : t('newJob.addToQueue')}</button>
      </div>
    </section>
  );
}
