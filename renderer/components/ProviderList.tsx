// Execution providers this machine offers, and why the others cannot run: in
// words first, the technical detail (library names, paths) under "Details".
import { useTranslation } from 'react-i18next';
import type { ProviderStatus } from '../../common/api/api-types.ts';
import { providerReasonText } from '../provider-reason.ts';

export function ProviderList({ providers }: { providers: ProviderStatus[] }) {
  const { t } = useTranslation();
  return (
    <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 6 }} aria-label={t('settings.providersHere')}>
      {providers.map((provider) => (
        <li key={provider.provider} className="row provider-row" style={{ alignItems: 'baseline', flexWrap: 'nowrap' }}>
          <span className={`badge ${provider.available ? 'ok' : ''}`} style={{ width: 96, justifyContent: 'center', flexShrink: 0 }}>{provider.provider}</span>
          <div className="stack" style={{ gap: 2, minWidth: 0 }}>
            <span className="small">{providerReasonText(t, provider)}</span>
            {!provider.available && provider.reason ? (
              <details className="small muted">
                <summary>{t('providers.details')}</summary>
                <span style={{ overflowWrap: 'anywhere' }}>{provider.reason}</span>
              </details>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
