// Screen navigation: a side bar, or a top bar in a narrow window (CSS).
import { useTranslation } from 'react-i18next';
import { SCREENS, type Screen } from '../hooks/useHashRoute.ts';

export function Sidebar({ current, hostLabel }: { current: Screen; hostLabel: string }) {
  const { t } = useTranslation();
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <div className="brand">Frame<span>smith</span></div>
      {SCREENS.map((screen) => (
        <a key={screen} className="nav-link" href={`#/${screen}`} aria-current={screen === current ? 'page' : undefined}>
          {t(`nav.${screen}`)}
        </a>
      ))}
      <div className="sidebar-footer">{hostLabel}</div>
    </nav>
  );
}
