// Connects to the API, loads settings and the host, then shows the app.
// Until then (or when that fails) it shows why, in words a person can act on.
// When the connection drops (serve restarted, network gone) it tries again
// every few seconds by itself; once back, the app is mounted afresh so every
// screen reloads its data from the server.
import { useEffect, useState } from 'react';

const RECONNECT_EVERY_MS = 2000;
import type { HostInfo } from '../common/api/api-types.ts';
import type { Settings } from '../common/api/contract.ts';
import { messageOf, unwrap } from './api/api-error.ts';
import { ApiProvider } from './api/ApiContext.tsx';
import { connectApi, type ApiConnection } from './api/connect-api.ts';
import { App } from './App.tsx';
import { SettingsProvider } from './hooks/useSettings.tsx';
import { useTranslation } from 'react-i18next';

interface Ready {
  connection: ApiConnection;
  host: HostInfo;
  settings: Settings;
}

export function Root() {
  const { t } = useTranslation();
  const [ready, setReady] = useState<Ready | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    let opened: ApiConnection | undefined;
    connectApi()
      .then(async (connection) => {
        opened = connection;
        const [host, settings] = await Promise.all([unwrap(connection.api.system.host()), unwrap(connection.api.settings.get())]);
        if (live) setReady({ connection, host, settings });
      })
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
      opened?.dispose();
    };
  }, []);

  useEffect(() => ready?.connection.onConnectionChange((next) => {
    setConnected(next);
    if (next) setGeneration((value) => value + 1);
  }), [ready]);

  useEffect(() => {
    if (!ready || connected) return;
    const timer = setInterval(() => void ready.connection.reconnect().catch(() => undefined), RECONNECT_EVERY_MS);
    return () => clearInterval(timer);
  }, [ready, connected]);

  if (error) {
    return (
      <div className="screen">
        <h1>{t('root.failedTitle')}</h1>
        <div className="notice error" role="alert">{error}</div>
      </div>
    );
  }
  if (!ready) return <div className="screen muted" role="status">{t('root.connecting')}</div>;
  return (
    <ApiProvider api={ready.connection.api} host={ready.host}>
      <SettingsProvider initial={ready.settings}>
        {connected ? null : <div className="notice error" role="alert">{t('root.disconnected')}</div>}
        <App key={generation} />
      </SettingsProvider>
    </ApiProvider>
  );
}
