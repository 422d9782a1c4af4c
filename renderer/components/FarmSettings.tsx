// Settings' render farm section: the Redis URL (a saved password comes back
// masked and stays saved while the mask is left in place), the shared
// folder every machine of the farm sees alike, and "Test connection", which
// checks the values being edited and says how many workers answered or why
// the farm cannot be used.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FarmTestResult } from '../../common/api/api-types.ts';
import { redisUrlText, type SettingsPatch } from '../../common/api/contract.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { useSettings } from '../hooks/useSettings.tsx';
import { Field } from './Field.tsx';
import { FarmProblemText } from './FarmProblemText.tsx';
import { PathPicker } from './PathPicker.tsx';

interface FarmSettingsProps {
  /** Saves a patch the way the rest of the screen does (marks it saved or shows the error). */
  save: (patch: SettingsPatch) => Promise<void>;
}

export function FarmSettings({ save }: FarmSettingsProps) {
  const { t } = useTranslation();
  const api = useApi();
  const { settings } = useSettings();
  const [redisUrl, setRedisUrl] = useState(settings.farm.redisUrl ?? '');
  const [sharedRoot, setSharedRoot] = useState(settings.farm.sharedRoot ?? '');
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<FarmTestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  // What was saved comes back with the password masked: show that, never the typed password.
  useEffect(() => setRedisUrl(settings.farm.redisUrl ?? ''), [settings.farm.redisUrl]);
  const urlCheck = redisUrl.trim() === '' ? null : redisUrlText.safeParse(redisUrl.trim());
  const urlError = urlCheck && !urlCheck.success ? t('farm.urlInvalid') : undefined;

  async function saveUrl() {
    const value = redisUrl.trim();
    if (urlError) return;
    if (value === (settings.farm.redisUrl ?? '')) return;
    setResult(null);
    await save({ farm: { redisUrl: value === '' ? null : value } });
  }

  async function saveRoot(value: string) {
    setSharedRoot(value);
    setResult(null);
    await save({ farm: { sharedRoot: value.trim() === '' ? null : value.trim() } });
  }

  async function test() {
    setTesting(true);
    setTestError(null);
    setResult(null);
    try {
      const url = redisUrl.trim();
      const root = sharedRoot.trim();
      setResult(await unwrap(api.farm.test({ ...(url ? { redisUrl: url } : {}), ...(root ? { sharedRoot: root } : {}) })));
    } catch (failure) {
      setTestError(messageOf(failure));
    } finally {
      setTesting(false);
    }
  }

  return (
    <div className="card stack" data-testid="farm-settings">
      <h2>{t('farm.title')}</h2>
      <p className="muted small">{t('farm.intro')}</p>
      <div className="grid-2">
        <Field label={t('farm.redisUrl')} hint={t('farm.redisUrlHint')} error={urlError}>
          <input className="input" value={redisUrl} spellCheck={false} autoComplete="off" placeholder="redis://192.168.1.10:6379" onChange={(event) => setRedisUrl(event.target.value)} onBlur={() => void saveUrl()} />
        </Field>
        <Field label={t('farm.sharedRoot')} hint={t('farm.sharedRootHint')}>
          <PathPicker mode="folder" value={sharedRoot} placeholder={t('farm.sharedRootPlaceholder')} onChange={(value) => void saveRoot(value)} />
        </Field>
      </div>
      <div className="row">
        <button type="button" className="button" disabled={testing || urlError !== undefined} onClick={() => void test()}>{testing ? t('farm.testing') : t('farm.test')}</button>
        <span className="spacer" role="status" aria-live="polite">
          {result?.ok ? <span className="badge ok">{t('farm.connected', { count: result.workers })}</span> : null}
          {result && !result.ok ? <FarmProblemText problem={result.problem} detail={result.detail} /> : null}
          {testError ? <span className="error small">{testError}</span> : null}
        </span>
      </div>
    </div>
  );
}
