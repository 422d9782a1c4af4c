// Files coming into the app from a drop or a picker, up to the point where
// they have paths on the machine that runs the engine and the first one is
// probed: in the desktop app a dropped file's path comes from the preload;
// in a browser each file is uploaded to `framesmith serve` (with progress)
// and its server path used. Then the quick-start panel takes over.
import { useCallback, useRef, useState } from 'react';
import type { MediaProbe } from '../../common/api/api-types.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { uploadFile } from '../upload.ts';

export type Intake =
  | { phase: 'idle' }
  | { phase: 'uploading'; name: string; index: number; count: number; fraction: number }
  | { phase: 'probing'; inputs: string[] }
  | { phase: 'ready'; inputs: string[]; probe: MediaProbe }
  | { phase: 'failed'; message: string };

export interface FileIntake {
  intake: Intake;
  /** Files from a drop or an <input type=file>. */
  acceptFiles: (files: readonly File[]) => void;
  /** Paths already on the engine's machine (desktop dialogs, the server-side file browser). */
  acceptPaths: (paths: readonly string[]) => void;
  cancel: () => void;
}

export function useFileIntake(): FileIntake {
  const api = useApi();
  const host = useHost();
  const [intake, setIntake] = useState<Intake>({ phase: 'idle' });
  const controller = useRef<AbortController | null>(null);

  const probeFirst = useCallback(async (inputs: string[], signal: AbortSignal) => {
    setIntake({ phase: 'probing', inputs });
    const probe = await unwrap(api.preview.probe({ path: inputs[0] as string }));
    if (!signal.aborted) setIntake({ phase: 'ready', inputs, probe });
  }, [api]);

  const start = useCallback((work: (signal: AbortSignal) => Promise<void>) => {
    controller.current?.abort();
    const next = new AbortController();
    controller.current = next;
    work(next.signal).catch((failure: unknown) => {
      if (!next.signal.aborted) setIntake({ phase: 'failed', message: messageOf(failure) });
    });
  }, []);

  const acceptPaths = useCallback((paths: readonly string[]) => {
    if (paths.length === 0) return;
    start((signal) => probeFirst([...paths], signal));
  }, [probeFirst, start]);

  const acceptFiles = useCallback((files: readonly File[]) => {
    if (files.length === 0) return;
    const pathForFile = host.kind === 'electron' ? api.files.pathForFile : undefined;
    const local = pathForFile ? files.map((file) => pathForFile(file)).filter((path) => path !== '') : [];
    if (local.length === files.length) {
      acceptPaths(local);
      return;
    }
    start(async (signal) => {
      const inputs: string[] = [];
      for (const [index, file] of files.entries()) {
        setIntake({ phase: 'uploading', name: file.name, index, count: files.length, fraction: 0 });
        const answer = await uploadFile(file, {
          signal,
          onProgress: (fraction) => setIntake({ phase: 'uploading', name: file.name, index, count: files.length, fraction }),
        });
        inputs.push(answer.path);
      }
      await probeFirst(inputs, signal);
    });
  }, [acceptPaths, api, host.kind, probeFirst, start]);

  const cancel = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
    setIntake({ phase: 'idle' });
  }, []);

  return { intake, acceptFiles, acceptPaths, cancel };
}
