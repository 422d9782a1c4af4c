// Choose a model of one task among those the catalog lists; the current value
// stays selectable even when it is not (yet) in the list. Where the catalog
// recommends some (RIFE has dozens of versions), those come first with their
// reason and the rest are folded under "Other versions".
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import type { ModelTask } from '../../common/model-manifest.ts';

interface ModelSelectProps {
  id?: string;
  value: unknown;
  tasks: readonly ModelTask[];
  models: readonly ModelListing[];
  onChange: (value: string) => void;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

export function ModelSelect({ value, tasks, models, onChange, ...rest }: ModelSelectProps) {
  const { t } = useTranslation();
  const current = typeof value === 'string' ? value : '';
  const choices = models.filter((model) => tasks.includes(model.task));
  const known = choices.some((model) => model.id === current);
  const recommended = choices.filter((model) => model.recommended);
  const option = (model: ModelListing) => (
    <option key={model.id} value={model.id} title={model.recommended}>
      {model.displayName}{model.recommended ? ` (${model.recommended})` : ''}{model.state === 'available' ? ` (${t('models.state.available')})` : ''}
    </option>
  );
  return (
    <select {...rest} className="input" value={current} onChange={(event) => onChange(event.target.value)}>
      {!known ? <option value={current}>{current || t('steps.chooseModel')}</option> : null}
      {recommended.length === 0 ? choices.map(option) : (
        <>
          <optgroup label={t('models.recommended')}>{recommended.map(option)}</optgroup>
          <optgroup label={t('models.otherVersions')}>{choices.filter((model) => !model.recommended).map(option)}</optgroup>
        </>
      )}
    </select>
  );
}
