// Fields of an upscale step; errors come from the shared zod schema.
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

export function UpscaleStepForm({ draft, errors, models, onChange }: StepFormProps) {
  const { t } = useTranslation();
  return (
    <div className="grid-2">
      <Field label={t('steps.model')} error={errors.model}>
        <ModelSelect value={draft.model} tasks={['super-resolution']} models={models} onChange={(model) => onChange({ model })} />
      </Field>
      <Field label={t('steps.scale')} hint={t('steps.scaleHint')} error={errors.scale}>
        <NumberInput value={draft.scale} min={1} max={16} onChange={(scale) => onChange({ scale })} />
      </Field>
      <Field label={t('steps.width')} error={errors.width}>
        <NumberInput value={draft.width} min={1} step={1} onChange={(width) => onChange({ width })} />
      </Field>
      <Field label={t('steps.height')} error={errors.height}>
        <NumberInput value={draft.height} min={1} step={1} onChange={(height) => onChange({ height })} />
      </Field>
      <Field label={t('steps.denoise')} hint={t('steps.denoiseHint')} error={errors.denoise}>
        <NumberInput value={draft.denoise} min={0} max={1} step={0.05} onChange={(denoise) => onChange({ denoise })} />
      </Field>
    </div>
  );
}
