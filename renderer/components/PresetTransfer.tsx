// Import a preset from a .json file (or pasted text) and export one as a
// download. Works the same in the desktop app and in a browser: the file never
// needs a path on the machine that runs the engine.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PresetEntryView } from '../../common/api/contract.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';

interface PresetTransferProps {
  selected: PresetEntryView | null;
  onImported: (preset: PresetEntryView) => void;
}

function fileNameFor(name: string): string {
  return `${name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'preset'}.framesmith-preset.json`;
}

export function PresetTransfer({ selected, onImported }: PresetTransferProps) {
  const { t } = useTranslation();
  const api = useApi();
  const fileInput = useRef<HTMLInputElement>(null);
  const [pasting, setPasting] = useState(false);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ tone: 'error' | 'ok'; message: string } | null>(null);

  async function importText(json: string) {
    try {
      const preset = await unwrap(api.presets.importJson({ text: json }));
      setStatus({ tone: 'ok', message: t('presets.imported', { name: preset.preset.name }) });
      setPasting(false);
      setText('');
      onImported(preset);
    } catch (failure) {
      setStatus({ tone: 'error', message: messageOf(failure) });
    }
  }

  async function exportSelected() {
    if (!selected) return;
    try {
      const json = await unwrap(api.presets.exportJson({ id: selected.id }));
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileNameFor(selected.preset.name);
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus({ tone: 'ok', message: t('presets.exported', { file: link.download }) });
    } catch (failure) {
      setStatus({ tone: 'error', message: messageOf(failure) });
    }
  }

  return (
    <div className="stack">
      <div className="row">
        <button type="button" className="button" onClick={() => fileInput.current?.click()}>{t('presets.importFile')}</button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          aria-label={t('presets.importFile')}
          data-testid="preset-import-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void file.text().then(importText);
          }}
        />
        <button type="button" className="button" aria-expanded={pasting} onClick={() => setPasting((open) => !open)}>{t('presets.importPaste')}</button>
        <button type="button" className="button" disabled={!selected} onClick={() => void exportSelected()}>{t('presets.export')}</button>
      </div>
      {pasting ? (
        <div className="stack">
          <textarea className="input" rows={6} aria-label={t('presets.pasteLabel')} value={text} onChange={(event) => setText(event.target.value)} />
          <div className="row"><button type="button" className="button primary small" disabled={!text.trim()} onClick={() => void importText(text)}>{t('presets.importNow')}</button></div>
        </div>
      ) : null}
      {status ? <div className={`notice small${status.tone === 'error' ? ' error' : ''}`} role="status">{status.message}</div> : null}
    </div>
  );
}
