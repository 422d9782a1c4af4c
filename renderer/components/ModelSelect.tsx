// Choose a model of one task among those the catalog lists; the current value
// stays selectable even when it is not (yet) in the list. Where the catalog
// recommends some (RIFE has dozens of versions), those come first with their
// reason and the rest are folded under "Other versions". Under the select, the
// chosen model in full (task, scale, the content it suits, the speed measured
// on this machine where known) wraps instead of being cut off at any width.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
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

/** One line on a model: task and scale, what it suits, its measured speed here, whether it is on this machine. */
export function modelFacts(t: TFunction, model: ModelListing): string {
  const parts = [model.scale > 1 ? t('models.taskScale', { task: t(`models.task.${model.task}`), scale: model.scale }) : t(`models.task.${model.task}`)];
  if (model.description) parts.push(model.description);
  if (model.msPerMegapixel !== undefined) parts.push(t('models.speedHere', { ms: Math.round(model.msPerMegapixel) }));
  if (model.state === 'available') parts.push(t('models.state.available'));
  return parts.join(' · ');
}

export function ModelSelect({ value, tasks, models, onChange, 'aria-describedby': describedBy, ...rest }: ModelSelectProps) {
  const { t } = useTranslation();
  const factsId = useId();
  const current = typeof value === 'string' ? value : '';
  const choices = models.filter((model) => tasks.includes(model.task));
  const chosen = choices.find((model) => model.id === current);
  const recommended = choices.filter((model) => model.recommended);
  const option = (model: ModelListing) => (
    <option key={model.id} value={model.id} title={modelFacts(t, model)}>
      {model.displayName}{model.recommended ? ` — ${model.recommended}` : ''}{model.state === 'available' ? ` (${t('models.state.available')})` : ''}
    </option>
  );
  return (
    <div className="stack model-select">
      <select
        {...rest}
        className="input"
        value={current}
        aria-describedby={[chosen ? factsId : null, describedBy ?? null].filter(Boolean).join(' ') || undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        {!chosen ? <option value={current}>{current || t('steps.chooseModel')}</option> : null}
        {recommended.length === 0 ? choices.map(option) : (
          <>
            <optgroup label={t('models.recommended')}>{recommended.map(option)}</optgroup>
            <optgroup label={t('models.otherVersions')}>{choices.filter((model) => !model.recommended).map(option)}</optgroup>
          </>
        )}
      </select>
      {chosen ? <span className="hint" id={factsId} data-testid="model-facts">{modelFacts(t, chosen)}</span> : null}
    </div>
  );
}
