// One step of a chain: its kind, its order in the chain and its own form.
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import type { StepKind } from '../../common/job-spec.ts';
import { defaultStep, type FieldErrors, type StepDraft } from '../step-validation.ts';
import { InterpolateStepForm } from './InterpolateStepForm.tsx';
import { StylizeStepForm } from './StylizeStepForm.tsx';
import { UpscaleStepForm } from './UpscaleStepForm.tsx';

interface StepEditorProps {
  index: number;
  count: number;
  draft: StepDraft;
  errors: FieldErrors;
  models: readonly ModelListing[];
  onChange: (draft: StepDraft) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

export function StepEditor({ index, count, draft, errors, models, onChange, onMove, onRemove }: StepEditorProps) {
  const { t } = useTranslation();
  const patch = (fields: Record<string, unknown>) => onChange({ ...draft, ...fields });
  const kindLabel = t(`steps.kind.${draft.kind}`);
  const stepLabel = t('steps.stepN', { n: index + 1, kind: kindLabel });
  const formProps = { draft, errors, models, onChange: patch };
  return (
    <fieldset className="step" aria-label={stepLabel} data-step-kind={draft.kind}>
      <div className="step-header">
        <span className="step-index" aria-hidden="true">{index + 1}</span>
        <select className="input" style={{ width: 'auto' }} aria-label={t('steps.kindOf', { n: index + 1 })} value={draft.kind} onChange={(event) => onChange(defaultStep(event.target.value as StepKind))}>
          {(['upscale', 'interpolate', 'stylize'] as const).map((kind) => (
            <option key={kind} value={kind}>{t(`steps.kind.${kind}`)}</option>
          ))}
        </select>
        <span className="spacer" />
        <button type="button" className="button icon" disabled={index === 0} aria-label={t('steps.moveUp', { label: stepLabel })} onClick={() => onMove(-1)}>↑</button>
        <button type="button" className="button icon" disabled={index === count - 1} aria-label={t('steps.moveDown', { label: stepLabel })} onClick={() => onMove(1)}>↓</button>
        <button type="button" className="button icon danger" disabled={count === 1} aria-label={t('steps.remove', { label: stepLabel })} onClick={onRemove}>×</button>
      </div>
      {errors[''] && draft.kind !== 'stylize' ? <div className="error small" role="alert">{errors['']}</div> : null}
      {draft.kind === 'upscale' ? <UpscaleStepForm {...formProps} /> : null}
      {draft.kind === 'interpolate' ? <InterpolateStepForm {...formProps} /> : null}
      {draft.kind === 'stylize' ? <StylizeStepForm {...formProps} /> : null}
    </fieldset>
  );
}
