// Settings as shared state: loaded once, saved through settings.set, and
// applied where they show: the theme on <html data-theme> and the language on
// the i18n instance.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings, SettingsPatch } from '../../common/api/contract.ts';
import { unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';

interface SettingsContextValue {
  settings: Settings;
  update: (patch: SettingsPatch) => Promise<Settings>;
}

const SettingsContext = createContext<SettingsContextValue | null>(null);

function useSystemDark(): boolean {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const onChange = () => setDark(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return dark;
}

export function SettingsProvider({ initial, children }: { initial: Settings; children: ReactNode }) {
  const api = useApi();
  const { i18n } = useTranslation();
  const [settings, setSettings] = useState(initial);
  const systemDark = useSystemDark();
  const theme = settings.theme === 'system' ? (systemDark ? 'dark' : 'light') : settings.theme;

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    if (i18n.language !== settings.language) void i18n.changeLanguage(settings.language);
    document.documentElement.lang = settings.language;
  }, [i18n, settings.language]);

  const update = useCallback(async (patch: SettingsPatch) => {
    const next = await unwrap(api.settings.set(patch));
    setSettings(next);
    return next;
  }, [api]);

  return <SettingsContext.Provider value={{ settings, update }}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsContextValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings must be used inside <SettingsProvider>');
  return value;
}
