// The typed API (window.framesmith in Electron, a WebSocket client in a
// browser) and the host it runs on, handed to every component by context.
import { createContext, useContext, type ReactNode } from 'react';
import type { HostInfo } from '../../common/api/api-types.ts';
import type { FramesmithApi } from '../../common/api/client-api.ts';

interface ApiContextValue {
  api: FramesmithApi;
  host: HostInfo;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ api, host, children }: ApiContextValue & { children: ReactNode }) {
  return <ApiContext.Provider value={{ api, host }}>{children}</ApiContext.Provider>;
}

export function useApi(): FramesmithApi {
  return useApiContext().api;
}

export function useHost(): HostInfo {
  return useApiContext().host;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi must be used inside <ApiProvider>');
  return value;
}
