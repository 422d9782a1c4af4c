// Per-job overrides of the preset's output and processing settings; an empty
// choice keeps the preset's (or the app's) value.
import { useTranslation } from 'react-i18next';
import { OUTPUT_CODECS, PROVIDER_PREFERENCES } from '../../common/job-spec.ts';
import type { Overrides } from '../job-draft.ts';
import type { FieldErrors } from '../step-validation.ts';
import { Field } from './Field.tsx';
import { NumberInput } from './NumberInput.tsx';

export type { Overrides } from '../job-draft.ts';

interface JobOverridesProps {
  value: Overrides;
  errors: FieldErrors;
  onChange: (value: Overrides) => void;
}

export function JobOverrides({ value, errors, onChange }: JobOverridesProps) {
  const { t } = useTranslation();
  const set = (patch: Overrides) => onChange({ ...value, ...patch });
  const keep = t('newJob.keepPreset');
  return (
    <div className="grid-2">
      <Field label={t('settings.codec')} error={errors['outputSettings.codec']}>
        <select className="input" value={value.codec ?? ''} onChange={(event) => set({ codec: event.target.value || undefined })}>
          <option value="">{keep}</option>
          {OUTPUT_CODECS.map((codec) => <option key={codec} value={codec}>{codec}</option>)}
        </select>
      </Field>
      <Field label={t('settings.crf')} hint={t('settings.crfHint')} error={errors['outputSettings.crf']}>
        <NumberInput value={value.crf} min={0} max={63} step={1} placeholder={keep} onChange={(crf) => set({ crf })} />
      </Field>
      <Field label={t('settings.audio')} error={errors['outputSettings.audio']}>
        <select className="input" value={value.audio ?? ''} onChange={(event) => set({ audio: event.target.value || undefined })}>
          <option value="">{keep}</option>
          <option value="copy">{t('settings.audioCopy')}</option>
          <option value="drop">{t('settings.audioDrop')}</option>
        </select>
      </Field>
      <Field label={t('settings.provider')} error={errors['processing.provider']}>
        <select className="input" value={value.provider ?? ''} onChange={(event) => set({ provider: event.target.value || undefined })}>
          <option value="">{keep}</option>
          {PROVIDER_PREFERENCES.map((provider) => <option key={provider} value={provider}>{provider}</option>)}
        </select>
      </Field>
      <Field label={t('settings.tile')} hint={t('settings.tileHint')} error={errors['processing.tile']}>
        <NumberInput value={value.tile} min={32} max={8192} step={1} placeholder={t('settings.tileAuto')} onChange={(tile) => set({ tile })} />
      </Field>
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={value.overwrite === true}
            aria-invalid={errors['outputSettings.overwrite'] ? true : undefined}
            aria-describedby={errors['outputSettings.overwrite'] ? 'overwrite-error' : undefined}
            onChange={(event) => set({ overwrite: event.target.checked || undefined })}
          />
          {t('newJob.overwrite')}
        </label>
        {errors['outputSettings.overwrite'] ? <span className="error" id="overwrite-error" role="alert">{errors['outputSettings.overwrite']}</span> : null}
      </div>
    </div>
  );
}
