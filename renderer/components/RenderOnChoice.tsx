// New job's "Render on": this machine, or the farm set in Settings. The farm
// can be chosen only when one is set and a worker answers; otherwise its
// choice is disabled with the reason. Still images of a farm job render on
// this machine.
import { useTranslation } from 'react-i18next';
import type { RenderTarget } from '../../common/jobs.ts';
import { unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useSettings } from '../hooks/useSettings.tsx';
import { FarmProblemText } from './FarmProblemText.tsx';

interface RenderOnChoiceProps {
  value: RenderTarget;
  onChange: (value: RenderTarget) => void;
}

export function RenderOnChoice({ value, onChange }: RenderOnChoiceProps) {
  const { t } = useTranslation();
  const api = useApi();
  const { settings } = useSettings();
  const configured = settings.farm.redisUrl !== null && settings.farm.sharedRoot !== null;
  const check = useAsync(async () => (configured ? unwrap(api.farm.test()) : null), [api, configured]);
  const farmUsable = configured && check.value?.ok === true;
  const reason = !configured ? { problem: 'not-configured' as const, detail: null } : check.value && !check.value.ok ? { problem: check.value.problem, detail: check.value.detail } : null;

  return (
    <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0, gap: 6 }} data-testid="render-on">
      <legend className="small" style={{ fontWeight: 600, marginBottom: 6 }}>{t('farm.renderOn')}</legend>
      <div className="row">
        <label className="checkbox">
          <input type="radio" name="render-on" checked={value === 'local'} onChange={() => onChange('local')} />
          {t('farm.thisMachine')}
        </label>
        <label className="checkbox">
          <input type="radio" name="render-on" checked={value === 'farm'} disabled={!farmUsable && value !== 'farm'} onChange={() => onChange('farm')} />
          {check.value?.ok ? t('farm.farmWithWorkers', { count: check.value.workers }) : t('farm.farm')}
        </label>
        {configured && check.loading ? <span className="muted small" role="status">{t('farm.checking')}</span> : null}
      </div>
      {reason ? <FarmProblemText problem={reason.problem} detail={reason.detail} /> : null}
      {value === 'farm' ? <span className="muted small">{t('farm.imagesHere')}</span> : null}
    </fieldset>
  );
}
