// A small file browser over files.list, for browsers (no native dialogs):
// folders open on activation, files toggle their selection. Keyboard: every
// entry is a button; Backspace goes up a folder. A modal dialog over the
// page: it takes focus on opening (the path field), keeps Tab inside, gives
// focus back on closing, and does not move when the page under it changes
// (a list arriving, a job's notice) while the user aims at a button.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DirectoryListing, FileEntryKind } from '../../common/api/api-types.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { formatBytes } from '../../common/format-bytes.ts';

interface DirectoryBrowserProps {
  /** Which entries can be chosen; folders always open. */
  kinds: readonly FileEntryKind[];
  multiple: boolean;
  /** Offer "use this folder" (for output folders and folder inputs). */
  allowFolder: boolean;
  onChoose: (paths: string[]) => void;
  onClose: () => void;
}

const KIND_MARK: Record<FileEntryKind, string> = { directory: 'D', video: 'V', image: 'I', model: 'M', preset: 'P', other: '·' };

export function DirectoryBrowser({ kinds, multiple, allowFolder, onChoose, onClose }: DirectoryBrowserProps) {
  const { t } = useTranslation();
  const api = useApi();
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [typed, setTyped] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  // Only the latest move shows: a slow answer (the home folder asked on opening) never replaces a folder the user went to since.
  const latest = useRef(0);
  const dialog = useRef<HTMLDivElement>(null);
  const pathField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    pathField.current?.focus();
    return () => before?.focus();
  }, []);

  async function open(dir: string, automatic = false) {
    if (automatic && latest.current > 0) return;
    const ticket = ++latest.current;
    try {
      const next = await unwrap(api.files.list({ dir }));
      if (ticket !== latest.current) return;
      setListing(next);
      // The home folder arriving late must not replace a path the user has started typing.
      setTyped((current) => (automatic && current !== '' ? current : next.path));
      setSelected([]);
      setError(null);
    } catch (failure) {
      if (ticket === latest.current) setError(messageOf(failure));
    }
  }

  useEffect(() => {
    unwrap(api.files.home()).then((home) => open(home, true), (failure: unknown) => setError(messageOf(failure)));
    // Opens the home folder once; later moves go through open().
  }, [api]);

  function toggle(path: string) {
    setSelected((current) => (current.includes(path) ? current.filter((entry) => entry !== path) : multiple ? [...current, path] : [path]));
  }

  const visible = listing?.entries.filter((entry) => entry.kind === 'directory' || kinds.includes(entry.kind)) ?? [];
  return (
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
    <div ref={dialog} className="browser modal" role="dialog" aria-modal="true" aria-label={t('browser.title')} onKeyDown={(event) => {
      if (event.key === 'Escape') onClose();
      if (event.key === 'Backspace' && listing?.parent && !(event.target instanceof HTMLInputElement)) void open(listing.parent);
      if (event.key === 'Tab' && dialog.current) keepTabInside(event, dialog.current);
    }}>
      <h2 className="browser-title">{t('browser.title')}</h2>
      <form className="browser-path" onSubmit={(event) => { event.preventDefault(); void open(typed); }}>
        <button type="button" className="button small" disabled={!listing?.parent} onClick={() => listing?.parent && void open(listing.parent)}>{t('browser.up')}</button>
        <input ref={pathField} className="input" aria-label={t('browser.path')} value={typed} onChange={(event) => setTyped(event.target.value)} />
        <button type="submit" className="button small">{t('browser.go')}</button>
      </form>
      {error ? <div className="notice error small">{error}</div> : null}
      <ul className="browser-list" aria-label={t('browser.entries')}>
        {visible.length === 0 && listing ? <li className="muted small" style={{ padding: 10 }}>{t('browser.emptyFolder')}</li> : null}
        {visible.map((entry) => (
          <li key={entry.path}>
            <button
              type="button"
              className="browser-entry"
              aria-pressed={entry.kind === 'directory' ? undefined : selected.includes(entry.path)}
              onClick={() => (entry.kind === 'directory' ? void open(entry.path) : toggle(entry.path))}
              onDoubleClick={() => entry.kind !== 'directory' && onChoose([entry.path])}
            >
              <span className="kind" aria-hidden="true">{KIND_MARK[entry.kind]}</span>
              <span className="truncate spacer">{entry.name}{entry.kind === 'directory' ? '/' : ''}</span>
              {entry.kind === 'directory' ? null : <span className="muted small">{formatBytes(entry.sizeBytes)}</span>}
            </button>
          </li>
        ))}
      </ul>
      <div className="row" style={{ padding: 8, borderTop: '1px solid var(--border)' }}>
        <span className="muted small spacer">{t('browser.selected', { count: selected.length })}</span>
        <button type="button" className="button small" onClick={onClose}>{t('common.cancel')}</button>
        {allowFolder && listing ? <button type="button" className="button small" onClick={() => onChoose([listing.path])}>{t('browser.useFolder')}</button> : null}
        <button type="button" className="button small primary" disabled={selected.length === 0} onClick={() => onChoose(selected)}>{t('browser.choose')}</button>
      </div>
    </div>
    </div>
  );
}

/** Tab from the last focusable element goes to the first, Shift+Tab from the first to the last. */
function keepTabInside(event: React.KeyboardEvent, container: HTMLElement): void {
  const focusable = [...container.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])')];
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
