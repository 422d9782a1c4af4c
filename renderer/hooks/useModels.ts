// The model catalog with install state, kept current by model events, plus
// the download progress of models being pulled.
import { useEffect, useState } from 'react';
import type { ModelEvent, ModelListing } from '../../common/api/api-types.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';

export interface ModelActivity {
  phase: 'download' | 'verify' | 'convert' | 'check';
  /** 0..1 while downloading with a known size; null otherwise. */
  fraction: number | null;
  /** Bytes of the file being downloaded, where the server said its size. */
  bytes?: { done: number; total: number };
  message?: string;
}

export interface ModelsState {
  models: ModelListing[];
  activity: Record<string, ModelActivity>;
  failures: Record<string, string>;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

function applyEvent(models: ModelListing[], event: ModelEvent): ModelListing[] {
  if (event.type === 'done') {
    const exists = models.some((model) => model.id === event.id);
    return exists ? models.map((model) => (model.id === event.id ? event.model : model)) : [...models, event.model];
  }
  return models;
}

export function useModels(): ModelsState {
  const api = useApi();
  const [models, setModels] = useState<ModelListing[]>([]);
  const [activity, setActivity] = useState<Record<string, ModelActivity>>({});
  const [failures, setFailures] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    const unsubscribe = api.models.onEvent((event) => {
      setModels((current) => applyEvent(current, event));
      setActivity((current) => {
        const next = { ...current };
        if (event.type === 'progress') {
          next[event.id] = event.bytesTotal
            ? { phase: event.phase, fraction: (event.bytesDone ?? 0) / event.bytesTotal, bytes: { done: event.bytesDone ?? 0, total: event.bytesTotal } }
            : { phase: event.phase, fraction: null };
        } else if (event.type === 'retry') {
          next[event.id] = { phase: 'download', fraction: null, message: event.reason };
        } else {
          delete next[event.id];
        }
        return next;
      });
      if (event.type === 'failed') setFailures((current) => ({ ...current, [event.id]: event.error.userMessage }));
      if (event.type === 'removed') setGeneration((value) => value + 1);
    });
    unwrap(api.models.list()).then(
      (list) => { if (live) { setModels(list); setLoading(false); setError(null); } },
      (failure: unknown) => { if (live) { setError(messageOf(failure)); setLoading(false); } },
    );
    return () => { live = false; unsubscribe(); };
  }, [api, generation]);

  return { models, activity, failures, error, loading, reload: () => setGeneration((value) => value + 1) };
}
