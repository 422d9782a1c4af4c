// App settings, saved as they change: execution provider (with what this
// machine offers), threads, tile size, working folder, output defaults,
// theme and language; the GPU runtime in its own section (GpuSettings).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { settingsPatchSchema, THEMES, type SettingsPatch } from '../../common/api/contract.ts';
import { OUTPUT_CODECS, PROVIDER_PREFERENCES } from '../../common/job-spec.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { FarmSettings } from '../components/FarmSettings.tsx';
import { Field } from '../components/Field.tsx';
import { GpuSettings } from '../components/GpuSettings.tsx';
import { NumberInput } from '../components/NumberInput.tsx';
import { PathPicker } from '../components/PathPicker.tsx';
import { ProviderList } from '../components/ProviderList.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useSettings } from '../hooks/useSettings.tsx';
import { LANGUAGES } from '../i18n/create-i18n.ts';
import { issuesByField } from '../step-validation.ts';

export function SettingsScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const { settings, update } = useSettings();
  const providers = useAsync(() => unwrap(api.system.providers()), [api]);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [savedAt, setSavedAt] = useState<number | null>(null);

  async function save(patch: SettingsPatch) {
    const checked = settingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      setFieldErrors(issuesByField(checked.error));
      return;
    }
    setFieldErrors({});
    try {
      await update(patch);
      setError(null);
      setSavedAt(Date.now());
    } catch (failure) {
      setError(messageOf(failure));
    }
  }

  const output = settings.outputDefaults;
  return (
    <section className="screen" aria-labelledby="settings-title">
      <header className="screen-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
        <span className="spacer" />
        {savedAt ? <span className="badge ok" role="status">{t('settings.saved')}</span> : null}
      </header>
      <ErrorNotice message={error} onDismiss={() => setError(null)} />
      <div className="card stack">
        <h2>{t('settings.appearance')}</h2>
        <div className="grid-2">
          <Field label={t('settings.theme')}>
            <select className="input" value={settings.theme} onChange={(event) => void save({ theme: event.target.value as (typeof THEMES)[number] })}>
              {THEMES.map((theme) => <option key={theme} value={theme}>{t(`settings.themes.${theme}`)}</option>)}
            </select>
          </Field>
          <Field label={t('settings.language')}>
            <select className="input" value={settings.language} onChange={(event) => void save({ language: event.target.value })}>
              {LANGUAGES.map((language) => <option key={language.code} value={language.code}>{language.name}</option>)}
            </select>
          </Field>
        </div>
      </div>
      <div className="card stack">
        <h2>{t('settings.processing')}</h2>
        <div className="grid-2">
          <Field label={t('settings.provider')} hint={t('settings.providerHint')} error={fieldErrors.provider}>
            <select className="input" value={settings.provider} onChange={(event) => void save({ provider: event.target.value as (typeof PROVIDER_PREFERENCES)[number] })}>
              {PROVIDER_PREFERENCES.map((provider) => <option key={provider} value={provider}>{provider}</option>)}
            </select>
          </Field>
          <Field label={t('settings.threads')} hint={t('settings.threadsHint')} error={fieldErrors.threads}>
            <NumberInput value={settings.threads ?? undefined} min={1} max={256} step={1} placeholder={t('settings.threadsDefault')} onChange={(threads) => void save({ threads: threads ?? null })} />
          </Field>
          <Field label={t('settings.tile')} hint={t('settings.tileHint')} error={fieldErrors.tile}>
            <NumberInput value={settings.tile === 'auto' ? undefined : settings.tile} min={32} max={8192} step={1} placeholder={t('settings.tileAuto')} onChange={(tile) => void save({ tile: tile ?? 'auto' })} />
          </Field>
          <Field label={t('settings.workingFolder')} hint={t('settings.workingFolderHint')} error={fieldErrors.workingFolder}>
            <PathPicker mode="folder" value={settings.workingFolder ?? ''} placeholder={t('settings.appDefault')} onChange={(folder) => void save({ workingFolder: folder.trim() || null })} />
          </Field>
        </div>
        <h3>{t('settings.providersHere')}</h3>
        {providers.error ? <p className="error small">{providers.error}</p> : null}
        {providers.value ? <ProviderList providers={providers.value} /> : providers.error ? null : <p className="muted small" role="status">{t('settings.checkingProviders')}</p>}
      </div>
      <GpuSettings />
      <div className="card stack">
        <h2>{t('settings.outputDefaults')}</h2>
        <div className="grid-2">
          <Field label={t('newJob.outputFolder')} hint={t('newJob.outputFolderHint')}>
            <PathPicker mode="folder" value={output.folder ?? ''} placeholder={t('newJob.besideInput')} onChange={(folder) => void save({ outputDefaults: { folder: folder.trim() || null } })} />
          </Field>
          <Field label={t('newJob.nameTemplate')} hint={t('newJob.nameTemplateHint')} error={fieldErrors['outputDefaults.nameTemplate']}>
            <input className="input" defaultValue={output.nameTemplate} onBlur={(event) => void save({ outputDefaults: { nameTemplate: event.target.value } })} />
          </Field>
          <Field label={t('settings.codec')}>
            <select className="input" value={output.codec} onChange={(event) => void save({ outputDefaults: { codec: event.target.value as (typeof OUTPUT_CODECS)[number] } })}>
              {OUTPUT_CODECS.map((codec) => <option key={codec} value={codec}>{codec}</option>)}
            </select>
          </Field>
          <Field label={t('settings.crf')} hint={t('settings.crfHint')} error={fieldErrors['outputDefaults.crf']}>
            <NumberInput value={output.crf ?? undefined} min={0} max={63} step={1} placeholder={t('settings.codecDefault')} onChange={(crf) => void save({ outputDefaults: { crf: crf ?? null } })} />
          </Field>
          <Field label={t('settings.audio')}>
            <select className="input" value={output.audio} onChange={(event) => void save({ outputDefaults: { audio: event.target.value as 'copy' | 'drop' } })}>
              <option value="copy">{t('settings.audioCopy')}</option>
              <option value="drop">{t('settings.audioDrop')}</option>
            </select>
          </Field>
        </div>
      </div>
      <FarmSettings save={save} />
    </section>
  );
}
