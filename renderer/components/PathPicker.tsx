// A path chosen by typing it or by browsing: native dialogs in the desktop
// app, the directory browser over the files API in a browser.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileEntryKind } from '../../common/api/api-types.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { DirectoryBrowser } from './DirectoryBrowser.tsx';

interface PathPickerProps {
  id?: string;
  value: string;
  onChange: (value: string) => void;
  mode: 'file' | 'folder';
  kinds?: readonly FileEntryKind[];
  placeholder?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

export function PathPicker({ value, onChange, mode, kinds = ['video', 'image'], placeholder, ...inputProps }: PathPickerProps) {
  const { t } = useTranslation();
  const api = useApi();
  const host = useHost();
  const [browsing, setBrowsing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function browse() {
    if (host.kind !== 'electron') {
      setBrowsing((open) => !open);
      return;
    }
    try {
      if (mode === 'folder') {
        const folder = await unwrap(api.dialogs.openFolder({}));
        if (folder) onChange(folder);
      } else {
        const [file] = await unwrap(api.dialogs.openFiles({ multiple: false }));
        if (file) onChange(file);
      }
    } catch (failure) {
      setError(messageOf(failure));
    }
  }

  return (
    <div className="stack" style={{ gap: 6 }}>
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <input {...inputProps} className="input" value={value} placeholder={placeholder} onChange={(event) => onChange(event.target.value)} />
        <button type="button" className="button" onClick={() => void browse()} aria-expanded={host.kind === 'electron' ? undefined : browsing}>{t('common.browse')}</button>
      </div>
      {error ? <span className="error small">{error}</span> : null}
      {browsing ? (
        <DirectoryBrowser
          kinds={mode === 'folder' ? [] : kinds}
          multiple={false}
          allowFolder={mode === 'folder'}
          onClose={() => setBrowsing(false)}
          onChoose={([path]) => {
            if (path) onChange(path);
            setBrowsing(false);
          }}
        />
      ) : null}
    </div>
  );
}
