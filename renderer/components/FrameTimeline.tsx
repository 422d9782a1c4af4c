// Pick a frame of the clip: a slider over its frames with the time shown.
import { useTranslation } from 'react-i18next';
import type { MediaProbe } from '../../common/api/api-types.ts';
import { formatDuration, frameOrdinal } from '../format.ts';

interface FrameTimelineProps {
  probe: MediaProbe;
  frameIndex: number;
  onChange: (frameIndex: number) => void;
}

export function FrameTimeline({ probe, frameIndex, onChange }: FrameTimelineProps) {
  const { t } = useTranslation();
  const last = Math.max(0, probe.frameCount - 1);
  const seconds = probe.frameRate > 0 ? frameIndex / probe.frameRate : 0;
  return (
    <div className="field">
      <label htmlFor="frame-timeline">{t('preview.frame', { ...frameOrdinal(frameIndex, probe.frameCount), time: formatDuration(seconds * 1000) })}</label>
      <input id="frame-timeline" className="timeline" type="range" min={0} max={last} step={1} value={frameIndex} disabled={last === 0} onChange={(event) => onChange(Number(event.target.value))} />
      <span className="hint">{t('preview.probe', { width: probe.width, height: probe.height, frames: probe.frameCount, rate: probe.frameRateText })}</span>
    </div>
  );
}
