// An ordered chain of steps, each validated as the user types with the
// shared step schema. Reports the valid chain (or null) to its owner.
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import type { StepKind } from '../../common/job-spec.ts';
import { defaultStep, validateStep, type StepDraft } from '../step-validation.ts';
import type { ModelActivity } from '../hooks/useModels.ts';
import { ModelDownloadOffer, modelIdOfDraft } from './ModelDownloadOffer.tsx';
import { StepEditor } from './StepEditor.tsx';

interface ChainEditorProps {
  drafts: StepDraft[];
  models: readonly ModelListing[];
  /** Downloads in progress, by model id (useModels), for the in-place download offer. */
  activity?: Readonly<Record<string, ModelActivity>>;
  onChange: (drafts: StepDraft[]) => void;
}

export function ChainEditor({ drafts, models, activity, onChange }: ChainEditorProps) {
  const { t } = useTranslation();
  const replace = (index: number, draft: StepDraft) => onChange(drafts.map((entry, at) => (at === index ? draft : entry)));
  const move = (index: number, delta: -1 | 1) => {
    const next = [...drafts];
    const [moved] = next.splice(index, 1);
    if (moved) next.splice(index + delta, 0, moved);
    onChange(next);
  };
  const add = (kind: StepKind) => onChange([...drafts, defaultStep(kind)]);
  return (
    <div className="stack">
      {drafts.map((draft, index) => {
        const modelId = modelIdOfDraft(draft);
        return (
          <div key={index} className="stack">
            <StepEditor
              index={index}
              count={drafts.length}
              draft={draft}
              errors={validateStep(draft).errors}
              models={models}
              onChange={(next) => replace(index, next)}
              onMove={(delta) => move(index, delta)}
              onRemove={() => onChange(drafts.filter((_, at) => at !== index))}
            />
            <ModelDownloadOffer model={models.find((model) => model.id === modelId)} activity={modelId ? activity?.[modelId] : undefined} />
          </div>
        );
      })}
      <div className="row">
        <span className="muted small">{t('steps.add')}</span>
        {(['upscale', 'interpolate', 'stylize'] as const).map((kind) => (
          <button key={kind} type="button" className="button small" onClick={() => add(kind)}>+ {t(`steps.kind.${kind}`)}</button>
        ))}
      </div>
    </div>
  );
}
