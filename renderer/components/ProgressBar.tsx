// A progress bar that screen readers announce as one (role progressbar).
interface ProgressBarProps {
  /** 0..1 */
  fraction: number;
  label: string;
  tone?: 'running' | 'completed' | 'failed';
}

export function ProgressBar({ fraction, label, tone = 'running' }: ProgressBarProps) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
  return (
    <div className={`progress ${tone}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div style={{ width: `${percent}%` }} />
    </div>
  );
}
