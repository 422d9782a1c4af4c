// Presets: the list, an editor for the selected one, and new, save,
// duplicate, delete, import and export.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PresetEntryView } from '../../common/api/contract.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { checkPreset, PresetEditor, toPreset, type PresetForm } from '../components/PresetEditor.tsx';
import { PresetList } from '../components/PresetList.tsx';
import { PresetTransfer } from '../components/PresetTransfer.tsx';
import { useModels } from '../hooks/useModels.ts';
import { usePresets } from '../hooks/usePresets.ts';
import { defaultStep, type StepDraft } from '../step-validation.ts';
import type { PresetSaveRequest } from '../../common/api/contract.ts';

function formOf(entry: PresetEntryView): PresetForm {
  const { preset } = entry;
  return {
    previousId: entry.id,
    name: preset.name,
    description: preset.description ?? '',
    drafts: preset.steps.map((step) => ({ ...step }) as StepDraft),
    output: preset.output,
    processing: preset.processing,
  };
}

function copyName(name: string, taken: readonly string[]): string {
  for (let n = 2; ; n++) {
    const candidate = `${name.slice(0, 56)} (${n})`;
    if (!taken.includes(candidate)) return candidate;
  }
}

export function PresetsScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const presets = usePresets();
  const { models, activity } = useModels();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [form, setForm] = useState<PresetForm | null>(null);
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const list = presets.value?.presets ?? [];
  const problems = presets.value?.problems ?? [];
  const selected = list.find((entry) => entry.id === selectedId) ?? null;

  useEffect(() => {
    const first = presets.value?.presets[0];
    if (selectedId === null && form === null && first) {
      setSelectedId(first.id);
      setForm(formOf(first));
    }
  }, [presets.value, selectedId, form]);

  function select(id: string) {
    const entry = list.find((candidate) => candidate.id === id);
    setSelectedId(id);
    setForm(entry ? formOf(entry) : null);
    setDirty(false);
    setSaved(null);
  }

  async function act(run: () => Promise<PresetEntryView | null>): Promise<PresetEntryView | null> {
    setError(null);
    setSaved(null);
    try {
      const result = await run();
      const fresh = await unwrap(api.presets.list());
      presets.setValue(fresh);
      const next = result ? fresh.presets.find((entry) => entry.id === result.id) : fresh.presets[0];
      setSelectedId(next?.id ?? null);
      setForm(next ? formOf(next) : null);
      setDirty(false);
      return next ?? null;
    } catch (failure) {
      setError(messageOf(failure));
      return null;
    }
  }

  function save(current: PresetForm) {
    const request: PresetSaveRequest = { preset: toPreset(current) as PresetSaveRequest['preset'], ...(current.previousId ? { previousId: current.previousId } : {}) };
    void act(() => unwrap(api.presets.save(request))).then((next) => next && setSaved(t('presets.saved')));
  }

  const check = form ? checkPreset(form) : { valid: false, errors: {} };
  const readOnly = selected?.builtIn === true && form?.previousId === selected.id;
  const names = list.map((entry) => entry.preset.name);
  return (
    <section className="screen" aria-labelledby="presets-title">
      <header className="screen-header">
        <h1 id="presets-title">{t('presets.title')}</h1>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => { setSelectedId(null); setForm({ name: copyName(t('presets.newName'), names), description: '', drafts: [defaultStep('upscale')] }); setDirty(true); setSaved(null); }}>{t('presets.new')}</button>
      </header>
      <ErrorNotice message={error ?? presets.error} onDismiss={() => setError(null)} />
      {problems.length > 0 ? <div className="notice warn small" role="status">{t('presets.problems', { list: problems.join('; ') })}</div> : null}
      <div className="split">
        <div className="stack">
          <PresetList presets={list} selectedId={selectedId} onSelect={select} />
          <PresetTransfer selected={selected} onImported={(entry) => void act(async () => entry)} />
        </div>
        <div className="card stack">
          {form ? (
            <>
              {readOnly ? <div className="notice small">{t('presets.builtInNotice')}</div> : null}
              <PresetEditor form={form} readOnly={readOnly} models={models} activity={activity} onChange={(next) => { setForm(next); setDirty(true); setSaved(null); }} />
              <div className="row">
                {saved ? <span className="badge ok" role="status">{saved}</span> : null}
                <span className="spacer" />
                {selected && !selected.builtIn ? (
                  <button type="button" className="button danger" onClick={() => void act(async () => { await unwrap(api.presets.delete({ id: selected.id })); return null; })}>{t('presets.delete')}</button>
                ) : null}
                {selected ? <button type="button" className="button" onClick={() => void act(() => unwrap(api.presets.duplicate({ id: selected.id, name: copyName(selected.preset.name, names) })))}>{t('presets.duplicate')}</button> : null}
                <button type="button" className="button primary" disabled={readOnly || !dirty || !check.valid} onClick={() => save(form)}>{t('presets.save')}</button>
              </div>
            </>
          ) : (
            <p className="empty">{t('presets.selectOne')}</p>
          )}
        </div>
      </div>
    </section>
  );
}
