// Fields of an interpolate step: exactly one of multiply, fps or slow motion,
// chosen with a mode switch so the schema's "exactly one" rule is easy to meet.
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import type { FieldErrors, StepDraft } from '../step-validation.ts';
import { Field } from './Field.tsx';
import { ModelSelect } from './ModelSelect.tsx';
import { NumberInput } from './NumberInput.tsx';

interface StepFormProps {
  draft: StepDraft;
  errors: FieldErrors;
  models: readonly ModelListing[];
  onChange: (patch: Record<string, unknown>) => void;
}

type Mode = 'multiply' | 'fps' | 'slowmo';

function modeOf(draft: StepDraft): Mode {
  if (draft.fps !== undefined) return 'fps';
  if (draft.slowmo !== undefined) return 'slowmo';
  return 'multiply';
}

export function InterpolateStepForm({ draft, errors, models, onChange }: StepFormProps) {
  const { t } = useTranslation();
  const mode = modeOf(draft);
  const setMode = (next: Mode) =>
    onChange({ multiply: next === 'multiply' ? 2 : undefined, fps: next === 'fps' ? '60' : undefined, slowmo: next === 'slowmo' ? 2 : undefined });
  return (
    <div className="grid-2">
      <Field label={t('steps.model')} error={errors.model}>
        <ModelSelect value={draft.model} tasks={['interpolation']} models={models} onChange={(model) => onChange({ model })} />
      </Field>
      <Field label={t('steps.rateMode')}>
        <select className="input" value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
          <option value="multiply">{t('steps.modeMultiply')}</option>
          <option value="fps">{t('steps.modeFps')}</option>
          <option value="slowmo">{t('steps.modeSlowmo')}</option>
        </select>
      </Field>
      {mode === 'multiply' ? (
        <Field label={t('steps.multiply')} error={errors.multiply}>
          <NumberInput value={draft.multiply} min={1} max={16} onChange={(multiply) => onChange({ multiply })} />
        </Field>
      ) : null}
      {mode === 'fps' ? (
        <Field label={t('steps.fps')} hint={t('steps.fpsHint')} error={errors.fps}>
          <input className="input" value={typeof draft.fps === 'string' ? draft.fps : ''} onChange={(event) => onChange({ fps: event.target.value })} />
        </Field>
      ) : null}
      {mode === 'slowmo' ? (
        <Field label={t('steps.slowmo')} error={errors.slowmo}>
          <NumberInput value={draft.slowmo} min={1} max={16} onChange={(slowmo) => onChange({ slowmo })} />
        </Field>
      ) : null}
      <Field label={t('steps.sceneThreshold')} hint={t('steps.sceneThresholdHint')} error={errors.sceneThreshold}>
        <NumberInput value={draft.sceneThreshold} min={0} max={1} step={0.01} placeholder="0.12" onChange={(sceneThreshold) => onChange({ sceneThreshold })} />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={draft.dedup !== false} onChange={(event) => onChange({ dedup: event.target.checked })} />
        {t('steps.dedup')}
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={draft.quality === true} onChange={(event) => onChange({ quality: event.target.checked })} />
        {t('steps.quality')}
      </label>
    </div>
  );
}
