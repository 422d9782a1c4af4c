// The current screen lives in the URL hash (#/queue), so reloads, links and
// tests can open a screen directly.
import { useCallback, useEffect, useState } from 'react';

export const SCREENS = ['queue', 'new', 'preview', 'presets', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

function screenOf(hash: string): Screen {
  const name = hash.replace(/^#\/?/, '').split('?')[0];
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'queue';
}

export function useHashRoute(): [Screen, (screen: Screen) => void] {
  const [screen, setScreen] = useState<Screen>(() => screenOf(window.location.hash));
  useEffect(() => {
    const onChange = () => setScreen(screenOf(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = useCallback((next: Screen) => {
    window.location.hash = `#/${next}`;
  }, []);
  return [screen, navigate];
}
