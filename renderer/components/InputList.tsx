// The inputs of a new job: dropped or picked files and folders, listed with a
// remove button each. In the desktop app a dropped file's path comes from the
// preload (files.pathForFile: Electron 32+ has no File.path); in a browser,
// drops carry paths only where the file manager sends a uri-list; other
// dropped files are uploaded to the server (see upload.ts) and their server
// paths added.
import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { uploadFile } from '../upload.ts';
import { DirectoryBrowser } from './DirectoryBrowser.tsx';
import { ProgressBar } from './ProgressBar.tsx';

interface InputListProps {
  paths: string[];
  onChange: (paths: string[]) => void;
}

function pathsFromDrop(event: DragEvent, pathForFile: ((file: File) => string) | undefined): string[] {
  if (pathForFile) {
    const fromFiles = [...event.dataTransfer.files].map((file) => pathForFile(file)).filter((path) => path !== '');
    if (fromFiles.length > 0) return fromFiles;
  }
  const uriList = event.dataTransfer.getData('text/uri-list');
  const fromUris = uriList
    .split(/\r?\n/)
    .filter((line) => line.startsWith('file://'))
    .map((line) => decodeURIComponent(new URL(line).pathname));
  if (fromUris.length > 0) return fromUris;
  const text = event.dataTransfer.getData('text/plain').trim();
  return text.startsWith('/') || /^[A-Za-z]:\\/.test(text) ? text.split(/\r?\n/) : [];
}

export function InputList({ paths, onChange }: InputListProps) {
  const { t } = useTranslation();
  const api = useApi();
  const host = useHost();
  const [dragging, setDragging] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [upload, setUpload] = useState<{ name: string; fraction: number } | null>(null);
  const add = (more: string[]) => onChange([...paths, ...more.filter((path) => !paths.includes(path))]);

  async function uploadAll(files: File[]) {
    const uploaded: string[] = [];
    try {
      for (const file of files) {
        setUpload({ name: file.name, fraction: 0 });
        uploaded.push((await uploadFile(file, { onProgress: (fraction) => setUpload({ name: file.name, fraction }) })).path);
      }
      setNotice(null);
    } catch (failure) {
      setNotice(messageOf(failure));
    } finally {
      setUpload(null);
      if (uploaded.length > 0) add(uploaded);
    }
  }

  async function pick(kind: 'files' | 'folder') {
    if (host.kind !== 'electron') {
      setBrowsing(true);
      return;
    }
    try {
      if (kind === 'files') add(await unwrap(api.dialogs.openFiles({ multiple: true })));
      else {
        const folder = await unwrap(api.dialogs.openFolder({}));
        if (folder) add([folder]);
      }
    } catch (failure) {
      setNotice(messageOf(failure));
    }
  }

  return (
    <div className="stack">
      <div
        className={`dropzone${dragging ? ' active' : ''}`}
        onDragOver={(event) => { event.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const pathForFile = host.kind === 'electron' ? api.files.pathForFile : undefined;
          const dropped = pathsFromDrop(event, pathForFile ? (file) => pathForFile(file) : undefined);
          if (dropped.length > 0) { add(dropped); setNotice(null); }
          else if (host.kind !== 'electron' && event.dataTransfer.files.length > 0) void uploadAll([...event.dataTransfer.files]);
          else setNotice(t('newJob.dropNoPaths'));
        }}
      >
        <p>{t('newJob.dropHere')}</p>
        <div className="row" style={{ justifyContent: 'center' }}>
          <button type="button" className="button" onClick={() => void pick('files')}>{t('newJob.addFiles')}</button>
          <button type="button" className="button" onClick={() => void pick('folder')}>{t('newJob.addFolder')}</button>
        </div>
      </div>
      {upload ? (
        <div className="stack" role="status">
          <span className="small muted">{t('quick.uploading', { name: upload.name, index: 1, count: 1, percent: Math.floor(upload.fraction * 100) })}</span>
          <ProgressBar fraction={upload.fraction} label={t('quick.uploadProgress', { name: upload.name })} />
        </div>
      ) : null}
      {notice ? <div className="notice warn small" role="status">{notice}</div> : null}
      {browsing ? (
        <DirectoryBrowser
          kinds={['video', 'image']}
          multiple
          allowFolder
          onClose={() => setBrowsing(false)}
          onChoose={(chosen) => { add(chosen); setBrowsing(false); }}
        />
      ) : null}
      {paths.length > 0 ? (
        <ul className="chip-list" aria-label={t('newJob.inputs')}>
          {paths.map((path) => (
            <li key={path} className="chip">
              <span className="truncate" title={path}>{path}</span>
              <button type="button" className="button icon small" aria-label={t('newJob.removeInput', { path })} onClick={() => onChange(paths.filter((entry) => entry !== path))}>×</button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
