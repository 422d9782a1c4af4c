// Saved presets as a selectable list (arrow keys move the selection).
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PresetEntryView } from '../../common/api/contract.ts';

interface PresetListProps {
  presets: PresetEntryView[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

export function PresetList({ presets, selectedId, onSelect }: PresetListProps) {
  const { t } = useTranslation();
  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const index = presets.findIndex((preset) => preset.id === selectedId);
    const next = presets[Math.min(presets.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next) onSelect(next.id);
  }
  return (
    <div className="card" style={{ padding: 0 }} role="listbox" aria-label={t('presets.list')} tabIndex={0} onKeyDown={onKeyDown}>
      {presets.length === 0 ? <p className="empty">{t('presets.none')}</p> : null}
      {presets.map((preset) => (
        <div key={preset.id} role="option" aria-selected={preset.id === selectedId} className="list-item" style={{ cursor: 'pointer' }} onClick={() => onSelect(preset.id)}>
          <div className="stack spacer" style={{ gap: 2, minWidth: 0 }}>
            <strong className="truncate">{preset.preset.name}</strong>
            <span className="muted small truncate">{preset.preset.steps.map((step) => t(`steps.kind.${step.kind}`)).join(' → ')}</span>
          </div>
          {preset.builtIn ? <span className="badge">{t('presets.builtIn')}</span> : null}
        </div>
      ))}
    </div>
  );
}
