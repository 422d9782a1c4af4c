// Execution providers this machine offers, and why the others cannot run.
import { useTranslation } from 'react-i18next';
import type { ProviderStatus } from '../../common/api/api-types.ts';

export function ProviderList({ providers }: { providers: ProviderStatus[] }) {
  const { t } = useTranslation();
  return (
    <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 6 }} aria-label={t('settings.providersHere')}>
      {providers.map((provider) => (
        <li key={provider.provider} className="row" style={{ alignItems: 'baseline', flexWrap: 'nowrap' }}>
          <span className={`badge ${provider.available ? 'ok' : ''}`} style={{ minWidth: 80, justifyContent: 'center' }}>{provider.provider}</span>
          <span className="small">{provider.available ? t('settings.providerAvailable') : provider.reason ?? t('settings.providerUnavailable')}</span>
        </li>
      ))}
    </ul>
  );
}
