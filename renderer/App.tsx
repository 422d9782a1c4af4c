// The app shell: navigation beside the current screen. Screens own their data.
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

export function App() {
  const { t } = useTranslation();
  const host = useHost();
  const [screen, navigate] = useHashRoute();
  return (
    <div className="app">
      <Sidebar current={screen} hostLabel={t(host.kind === 'electron' ? 'nav.hostDesktop' : 'nav.hostBrowser', { version: host.version })} />
      <main className="main">
        {screen === 'queue' ? <QueueScreen navigate={navigate} /> : null}
        {screen === 'new' ? <NewJobScreen navigate={navigate} /> : null}
        {screen === 'preview' ? <PreviewScreen /> : null}
        {screen === 'presets' ? <PresetsScreen /> : null}
        {screen === 'models' ? <ModelsScreen /> : null}
        {screen === 'settings' ? <SettingsScreen /> : null}
      </main>
    </div>
  );
}
