// The way in on the Queue screen: where to drop a file, a picker (the
// browser's own file chooser, which uploads; native dialogs in the desktop
// app), the server-side file browser for files already on the machine that
// runs Framesmith, and the upload's progress. Large while the queue is empty.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import type { Intake } from '../hooks/useFileIntake.ts';
import { DirectoryBrowser } from './DirectoryBrowser.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ProgressBar } from './ProgressBar.tsx';

interface FileIntakeBarProps {
  intake: Intake;
  /** The queue has no jobs: the drop area is the screen's main content. */
  empty: boolean;
  onFiles: (files: File[]) => void;
  onPaths: (paths: string[]) => void;
  onCancel: () => void;
}

const ACCEPT = 'video/*,image/*,.mkv,.avi,.mov,.webm,.mp4,.m4v,.ts,.y4m,.tif,.tiff';

export function FileIntakeBar({ intake, empty, onFiles, onPaths, onCancel }: FileIntakeBarProps) {
  const { t } = useTranslation();
  const api = useApi();
  const host = useHost();
  const picker = useRef<HTMLInputElement>(null);
  const [browsing, setBrowsing] = useState(false);
  const [dialogError, setDialogError] = useState<string | null>(null);

  async function choose() {
    if (host.kind !== 'electron') {
      picker.current?.click();
      return;
    }
    try {
      onPaths(await unwrap(api.dialogs.openFiles({ multiple: true })));
    } catch (failure) {
      setDialogError(messageOf(failure));
    }
  }

  if (intake.phase === 'uploading') {
    return (
      <div className="card stack" data-testid="upload-progress">
        <div className="row">
          <span className="spacer" role="status">{t('quick.uploading', { name: intake.name, index: intake.index + 1, count: intake.count, percent: Math.floor(intake.fraction * 100) })}</span>
          <button type="button" className="button small" onClick={onCancel}>{t('common.cancel')}</button>
        </div>
        <ProgressBar fraction={intake.fraction} label={t('quick.uploadProgress', { name: intake.name })} />
      </div>
    );
  }
  if (intake.phase === 'probing') {
    return <div className="card muted" role="status">{t('quick.reading', { name: intake.inputs[0]?.split(/[\\/]/).pop() ?? '' })}</div>;
  }
  return (
    <div className={`card dropzone intake${empty ? ' empty-intake' : ''}`}>
      {empty ? <p className="intake-title">{t('queue.empty')}</p> : null}
      <p>{t(!empty ? 'quick.dropShort' : host.kind === 'electron' ? 'quick.dropDesktop' : 'quick.dropBrowser')}</p>
      <div className="row wrap" style={{ justifyContent: 'center' }}>
        <button type="button" className={`button${empty ? ' primary large' : ''}`} onClick={() => void choose()}>{t('quick.chooseFile')}</button>
        {host.kind === 'electron' ? null : <button type="button" className="button" onClick={() => setBrowsing(true)}>{t('quick.serverFiles')}</button>}
      </div>
      <input
        ref={picker}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="quick-file-input"
        onChange={(event) => {
          const chosen = [...(event.target.files ?? [])];
          event.target.value = '';
          if (chosen.length > 0) onFiles(chosen);
        }}
      />
      {intake.phase === 'failed' ? <ErrorNotice message={intake.message} onDismiss={onCancel} /> : null}
      <ErrorNotice message={dialogError} onDismiss={() => setDialogError(null)} />
      {browsing ? (
        <DirectoryBrowser
          kinds={['video', 'image']}
          multiple
          allowFolder={false}
          onClose={() => setBrowsing(false)}
          onChoose={(paths) => { setBrowsing(false); onPaths(paths); }}
        />
      ) : null}
    </div>
  );
}
