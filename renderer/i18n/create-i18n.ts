// One i18next instance per app (no module-level instance), English first.
// Other languages add a JSON file beside en.json and a line in LANGUAGES;
// test/unit/renderer/i18n-complete.test.ts checks that each has every key.
import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from './de.json';
import en from './en.json';

export const LANGUAGES = [{ code: 'en', name: 'English' }, { code: 'de', name: 'Deutsch' }] as const;

export async function createI18n(language: string): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    resources: { en: { translation: en }, de: { translation: de } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
