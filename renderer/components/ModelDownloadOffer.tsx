// A model chosen where it is not on this machine yet is offered for download
// right there: its name, size and licence, a Download button and the
// progress; once in, the offer goes away and the step can run. Shown under
// each step of a chain (New job, Preview, preset editor).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelListing } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import type { ModelActivity } from '../hooks/useModels.ts';
import type { StepDraft } from '../step-validation.ts';
import { ProgressBar } from './ProgressBar.tsx';

/** The catalog id of the model a step draft runs (a fast style by name is "style-<name>"). */
export function modelIdOfDraft(draft: StepDraft): string | null {
  if (draft.kind === 'stylize') {
    if (typeof draft.styleImage === 'string' && draft.styleImage !== '') return typeof draft.model === 'string' && draft.model !== '' ? draft.model : 'microast';
    return typeof draft.style === 'string' && draft.style !== '' ? (draft.style.startsWith('style-') ? draft.style : `style-${draft.style}`) : null;
  }
  return typeof draft.model === 'string' && draft.model !== '' ? draft.model : null;
}

/** The chain's models that are not on this machine yet and can be downloaded (each is offered under its step). */
export function modelsToDownload(drafts: readonly StepDraft[], models: readonly ModelListing[]): ModelListing[] {
  const ids = new Set(drafts.map(modelIdOfDraft).filter((id) => id !== null));
  return models.filter((model) => ids.has(model.id) && model.state === 'available');
}

interface ModelDownloadOfferProps {
  model: ModelListing | undefined;
  activity: ModelActivity | undefined;
}

export function ModelDownloadOffer({ model, activity }: ModelDownloadOfferProps) {
  const { t } = useTranslation();
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  if (!model || model.state !== 'available') return null;
  const busy = asked || activity !== undefined;

  async function pull(id: string) {
    setAsked(true);
    setError(null);
    try {
      await unwrap(api.models.pull({ id }));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setAsked(false);
    }
  }

  return (
    <div className="notice warn small stack" role="status" data-testid="model-offer">
      <div className="row">
        <span className="spacer">{t('quick.needsModel', { name: model.displayName, size: model.sizeBytes > 0 ? formatBytes(model.sizeBytes) : t('quick.sizeUnknown'), licence: model.licence })}</span>
        <button type="button" className="button small primary" disabled={busy} onClick={() => void pull(model.id)} aria-label={t('quick.downloadModel', { name: model.displayName })}>
          {busy ? t(`models.phase.${activity?.phase ?? 'download'}`) : t('models.download')}
        </button>
      </div>
      {activity ? <ProgressBar fraction={activity.fraction ?? 0} label={t('models.progressOf', { name: model.displayName })} /> : null}
      {activity?.bytes ? <span className="muted" data-testid="model-offer-bytes">{t('models.bytesOf', { done: formatBytes(activity.bytes.done), total: formatBytes(activity.bytes.total) })}</span> : null}
      {error ? <span className="error">{error}</span> : null}
    </div>
  );
}
