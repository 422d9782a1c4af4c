// Fields of a stylize step: a named fast style or any style image.
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

const FAST_STYLES = ['candy', 'mosaic', 'pointilism', 'rain-princess', 'udnie'] as const;

export function StylizeStepForm({ draft, errors, models, onChange }: StepFormProps) {
  const { t } = useTranslation();
  const usesImage = draft.styleImage !== undefined;
  return (
    <div className="grid-2">
      <Field label={t('steps.styleSource')}>
        <select
          className="input"
          value={usesImage ? 'image' : 'named'}
          onChange={(event) => onChange(event.target.value === 'image' ? { style: undefined, styleImage: '' } : { styleImage: undefined, model: undefined, style: 'candy' })}
        >
          <option value="named">{t('steps.styleNamed')}</option>
          <option value="image">{t('steps.styleImage')}</option>
        </select>
      </Field>
      {usesImage ? (
        <>
          <Field label={t('steps.styleImagePath')} error={errors.styleImage ?? errors['']}>
            <input className="input" value={typeof draft.styleImage === 'string' ? draft.styleImage : ''} onChange={(event) => onChange({ styleImage: event.target.value })} />
          </Field>
          <Field label={t('steps.model')} error={errors.model}>
            <ModelSelect value={draft.model ?? 'microast'} tasks={['style-arbitrary']} models={models} onChange={(model) => onChange({ model })} />
          </Field>
        </>
      ) : (
        <Field label={t('steps.style')} error={errors.style}>
          <select className="input" value={typeof draft.style === 'string' ? draft.style : ''} onChange={(event) => onChange({ style: event.target.value })}>
            {FAST_STYLES.map((style) => (
              <option key={style} value={style}>{style}</option>
            ))}
          </select>
        </Field>
      )}
      <Field label={t('steps.strength')} error={errors.strength}>
        <NumberInput value={draft.strength} min={0} max={1} step={0.05} placeholder="1" onChange={(strength) => onChange({ strength })} />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={draft.keepColors === true} onChange={(event) => onChange({ keepColors: event.target.checked })} />
        {t('steps.keepColors')}
      </label>
    </div>
  );
}
