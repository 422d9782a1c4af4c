// Finds the API: window.framesmith where the Electron preload put it, else a
// WebSocket to the `framesmith serve` that served this page. Either way a
// method's `{ signal }` withdraws its request (bridgeSignals carries it over
// Electron's context bridge).
import type { FramesmithApi } from '../../common/api/client-api.ts';
import { bridgeSignals } from '../../common/api/create-client.ts';
import { apiUrlFromPage, WsApiClient } from '../../common/api/ws-client.ts';

export interface ApiConnection {
  api: FramesmithApi;
  /** Called with false when the connection drops and true when it is back (browser only). */
  onConnectionChange: (listener: (connected: boolean) => void) => () => void;
  dispose: () => void;
}

export async function connectApi(): Promise<ApiConnection> {
  const preload = (window as { framesmith?: FramesmithApi }).framesmith;
  if (preload) return { api: bridgeSignals(preload), onConnectionChange: () => () => undefined, dispose: () => undefined };
  const client = new WsApiClient({ url: apiUrlFromPage(window.location) });
  await client.connect();
  return {
    api: client.api,
    onConnectionChange: (listener) => client.onConnectionChange(listener),
    dispose: () => client.dispose(),
  };
}
