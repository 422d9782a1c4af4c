// Edits one preset: name, description and its chain, validated as the user
// types with the shared preset schema. Built-in presets are shown read-only.
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import { presetSchema, type Preset } from '../../common/preset.ts';
import { issuesByField, validateStep, type StepDraft } from '../step-validation.ts';
import type { ModelActivity } from '../hooks/useModels.ts';
import { ChainEditor } from './ChainEditor.tsx';
import { Field } from './Field.tsx';

export interface PresetForm {
  /** The saved preset this edits (absent: a new one). */
  previousId?: string;
  name: string;
  description: string;
  drafts: StepDraft[];
  output?: Preset['output'];
  processing?: Preset['processing'];
}

const editableSchema = presetSchema.partial({ format: true, version: true });

export function toPreset(form: PresetForm): Record<string, unknown> {
  return {
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    steps: form.drafts.map((draft) => validateStep(draft).step ?? draft),
    ...(form.output ? { output: form.output } : {}),
    ...(form.processing ? { processing: form.processing } : {}),
  };
}

export function checkPreset(form: PresetForm): { valid: boolean; errors: Record<string, string> } {
  const result = editableSchema.safeParse(toPreset(form));
  const stepsValid = form.drafts.every((draft) => validateStep(draft).step !== null);
  return { valid: result.success && stepsValid, errors: result.success ? {} : issuesByField(result.error) };
}

interface PresetEditorProps {
  form: PresetForm;
  readOnly: boolean;
  models: readonly ModelListing[];
  activity?: Readonly<Record<string, ModelActivity>>;
  onChange: (form: PresetForm) => void;
}

export function PresetEditor({ form, readOnly, models, activity, onChange }: PresetEditorProps) {
  const { t } = useTranslation();
  const { errors } = checkPreset(form);
  return (
    <fieldset className="stack" disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <Field label={t('presets.name')} error={errors.name}>
        <input className="input" value={form.name} onChange={(event) => onChange({ ...form, name: event.target.value })} />
      </Field>
      <Field label={t('presets.description')} error={errors.description}>
        <input className="input" value={form.description} onChange={(event) => onChange({ ...form, description: event.target.value })} />
      </Field>
      <h3>{t('presets.steps')}</h3>
      {errors.steps ? <div className="error small" role="alert">{errors.steps}</div> : null}
      <ChainEditor drafts={form.drafts} models={models} activity={activity} onChange={(drafts) => onChange({ ...form, drafts })} />
    </fieldset>
  );
}
