// The model catalog: installed state, size and licence; download with
// progress, import from files, delete, benchmark on this machine.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelBenchmark } from '../../common/api/api-types.ts';
import { MODEL_TASKS, type ModelTask } from '../../common/model-manifest.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { DirectoryBrowser } from '../components/DirectoryBrowser.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { ModelRow } from '../components/ModelRow.tsx';
import { useModels } from '../hooks/useModels.ts';

export function ModelsScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const host = useHost();
  const { models, activity, failures, error, loading, reload } = useModels();
  const [benchmarks, setBenchmarks] = useState<Record<string, ModelBenchmark | 'running'>>({});
  const [actionError, setActionError] = useState<string | null>(null);
  const [task, setTask] = useState<ModelTask | 'all'>('all');
  const [filter, setFilter] = useState('');
  const [importing, setImporting] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setActionError(null);
    try {
      await action();
    } catch (failure) {
      setActionError(messageOf(failure));
    }
  }

  async function bench(id: string) {
    setBenchmarks((current) => ({ ...current, [id]: 'running' }));
    try {
      const result = await unwrap(api.models.bench({ id }));
      setBenchmarks((current) => ({ ...current, [id]: result }));
    } catch (failure) {
      setBenchmarks((current) => { const next = { ...current }; delete next[id]; return next; });
      setActionError(messageOf(failure));
    }
  }

  async function importPaths(paths: string[]) {
    setImporting(false);
    await run(async () => { await unwrap(api.models.importFiles({ paths })); reload(); });
  }

  async function startImport() {
    if (host.kind !== 'electron') { setImporting((open) => !open); return; }
    await run(async () => {
      const paths = await unwrap(api.dialogs.openFiles({ multiple: true, filters: [{ name: 'Models', extensions: ['onnx', 'param', 'bin', 'pth', 'pt', 'safetensors'] }] }));
      if (paths.length > 0) await importPaths(paths);
    });
  }

  const needle = filter.trim().toLowerCase();
  const shown = models.filter((model) => (task === 'all' || model.task === task) && (!needle || `${model.id} ${model.displayName}`.toLowerCase().includes(needle)));
  const installedCount = models.filter((model) => model.state !== 'available').length;
  return (
    <section className="screen" aria-labelledby="models-title">
      <header className="screen-header">
        <h1 id="models-title">{t('models.title')}</h1>
        <span className="muted small">{t('models.summary', { installed: installedCount, total: models.length })}</span>
        <span className="spacer" />
        <button type="button" className="button" aria-expanded={host.kind === 'electron' ? undefined : importing} onClick={() => void startImport()}>{t('models.import')}</button>
      </header>
      {importing ? <DirectoryBrowser kinds={['model']} multiple allowFolder={false} onClose={() => setImporting(false)} onChoose={(paths) => void importPaths(paths)} /> : null}
      <ErrorNotice message={error ?? actionError} onDismiss={() => setActionError(null)} />
      <div className="row">
        <input className="input" style={{ maxWidth: 260 }} type="search" aria-label={t('models.filter')} placeholder={t('models.filter')} value={filter} onChange={(event) => setFilter(event.target.value)} />
        <select className="input" style={{ width: 'auto' }} aria-label={t('models.taskFilter')} value={task} onChange={(event) => setTask(event.target.value as ModelTask | 'all')}>
          <option value="all">{t('models.allTasks')}</option>
          {MODEL_TASKS.map((entry) => <option key={entry} value={entry}>{t(`models.task.${entry}`)}</option>)}
        </select>
      </div>
      {loading ? <p className="muted">{t('common.loading')}</p> : null}
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="table" aria-label={t('models.title')}>
          <thead>
            <tr>
              <th>{t('models.model')}</th>
              <th>{t('models.taskColumn')}</th>
              <th>{t('models.licence')}</th>
              <th>{t('models.size')}</th>
              <th>{t('models.stateColumn')}</th>
              <th><span className="visually-hidden">{t('models.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((model) => (
              <ModelRow
                key={model.id}
                model={model}
                activity={activity[model.id]}
                failure={failures[model.id]}
                benchmark={benchmarks[model.id]}
                onPull={() => void run(() => unwrap(api.models.pull({ id: model.id })))}
                onDelete={() => void run(async () => { await unwrap(api.models.delete({ id: model.id })); reload(); })}
                onBench={() => void bench(model.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
