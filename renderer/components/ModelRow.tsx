// One model of the catalog: what it is, whether it is here, and what can be
// done with it (download, delete, benchmark).
import { useTranslation } from 'react-i18next';
import type { ModelBenchmark, ModelListing } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import type { ModelActivity } from '../hooks/useModels.ts';
import { ProgressBar } from './ProgressBar.tsx';

interface ModelRowProps {
  model: ModelListing;
  activity: ModelActivity | undefined;
  failure: string | undefined;
  benchmark: ModelBenchmark | 'running' | undefined;
  onPull: () => void;
  onDelete: () => void;
  onBench: () => void;
}

export function ModelRow({ model, activity, failure, benchmark, onPull, onDelete, onBench }: ModelRowProps) {
  const { t } = useTranslation();
  const installed = model.state !== 'available';
  return (
    <tr data-model-id={model.id}>
      <td>
        <div className="stack" style={{ gap: 2 }}>
          <strong>{model.displayName}</strong>
          <span className="muted small mono">{model.id}</span>
          {failure ? <span className="error small" role="alert">{failure}</span> : null}
          {benchmark && benchmark !== 'running' ? (
            <span className="small">{t('models.benchResult', { ms: benchmark.meanMs.toFixed(0), width: benchmark.width, height: benchmark.height, provider: benchmark.provider })}</span>
          ) : null}
        </div>
      </td>
      <td>{t(`models.task.${model.task}`)}</td>
      <td className="small">{model.licence}</td>
      <td className="small" style={{ whiteSpace: 'nowrap' }}>{model.sizeBytes > 0 ? formatBytes(model.sizeBytes) : '—'}</td>
      <td><span className={`badge ${installed ? 'ok' : ''}`}>{t(`models.state.${model.state}`)}</span></td>
      <td style={{ minWidth: 160 }}>
        {activity ? (
          <div className="stack" style={{ gap: 4 }}>
            <ProgressBar fraction={activity.fraction ?? 0} label={t('models.progressOf', { name: model.displayName })} />
            <span className="muted small">{t(`models.phase.${activity.phase}`)}{activity.fraction !== null ? ` ${Math.floor(activity.fraction * 100)}%` : ''}</span>
          </div>
        ) : (
          <div className="row" style={{ gap: 4, flexWrap: 'nowrap' }}>
            {installed ? (
              <>
                <button type="button" className="button small" disabled={benchmark === 'running'} aria-label={`${t('models.bench')}: ${model.displayName}`} onClick={onBench}>
                  {benchmark === 'running' ? t('models.benchRunning') : t('models.bench')}
                </button>
                {model.state !== 'bundled' ? <button type="button" className="button small danger" aria-label={`${t('models.delete')}: ${model.displayName}`} onClick={onDelete}>{t('models.delete')}</button> : null}
              </>
            ) : (
              <button type="button" className="button small primary" aria-label={`${t('models.download')}: ${model.displayName}`} onClick={onPull}>{t('models.download')}</button>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}
