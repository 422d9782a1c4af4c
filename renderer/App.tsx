// The app shell: a skip link, navigation beside the current screen. Screens
// own their data. On navigation focus moves to the new screen's heading, so
// keyboard and screen-reader users land where the page changed.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHost } from './api/ApiContext.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { useHashRoute } from './hooks/useHashRoute.ts';
import { ModelsScreen } from './screens/ModelsScreen.tsx';
import { NewJobScreen } from './screens/NewJobScreen.tsx';
import { PresetsScreen } from './screens/PresetsScreen.tsx';
import { PreviewScreen } from './screens/PreviewScreen.tsx';
import { QueueScreen } from './screens/QueueScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';

import type { JobDraft } from './job-draft.ts';

export type { JobDraft };

function focusHeading(): void {
  const heading = document.querySelector<HTMLElement>('main h1');
  if (!heading) return;
  if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
  heading.focus();
}

export function App() {
  const { t } = useTranslation();
  const host = useHost();
  const [screen, navigate] = useHashRoute();
  const [draft, setDraft] = useState<JobDraft | null>(null);
  const shown = useRef(screen);

  useEffect(() => {
    if (shown.current === screen) return;
    shown.current = screen;
    focusHeading();
  }, [screen]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); focusHeading(); }}>{t('nav.skip')}</a>
      <Sidebar current={screen} hostLabel={t(host.kind === 'electron' ? 'nav.hostDesktop' : 'nav.hostBrowser', { version: host.version })} />
      <main className="main" id="main">
        {screen === 'queue' ? <QueueScreen navigate={navigate} onDraft={setDraft} /> : null}
        {screen === 'new' ? <NewJobScreen navigate={navigate} initial={draft} onInitialUsed={() => setDraft(null)} /> : null}
        {screen === 'preview' ? <PreviewScreen onAddToQueue={(next) => { setDraft(next); navigate('new'); }} /> : null}
        {screen === 'presets' ? <PresetsScreen /> : null}
        {screen === 'models' ? <ModelsScreen /> : null}
        {screen === 'settings' ? <SettingsScreen /> : null}
      </main>
    </div>
  );
}
