// Loads something from the API and keeps { value, error, loading } with a
// reload; a load that finishes after a newer one started is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api/api-error.ts';

export interface AsyncState<T> {
  value: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
  setValue: (value: T) => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(load, deps);

  const reload = useCallback(() => {
    const current = ++generation.current;
    setLoading(true);
    run().then(
      (next) => {
        if (current !== generation.current) return;
        setValue(next);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (current !== generation.current) return;
        setError(messageOf(failure));
        setLoading(false);
      },
    );
  }, [run]);

  useEffect(() => {
    reload();
  }, [reload]);

  return { value, error, loading, reload, setValue };
}
