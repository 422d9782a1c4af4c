// A rendered preview clip: the video (served by framesmith serve or the
// desktop app's preview protocol) with its facts; playback controls are the
// browser's own, so they are keyboard-usable and labelled.
import { useTranslation } from 'react-i18next';
import type { PreviewClip } from '../../common/api/api-types.ts';
import { formatBytes } from '../../common/format-bytes.ts';
import { frameNumber } from '../format.ts';

export function ClipPlayer({ clip }: { clip: PreviewClip }) {
  const { t } = useTranslation();
  return (
    <section className="card stack" aria-labelledby="clip-title">
      <h2 id="clip-title">{t('preview.clipTitle')}</h2>
      <video
        key={clip.clipId}
        className="clip-video"
        style={{ maxWidth: Math.max(clip.width, 640) }}
        src={clip.url}
        controls
        loop
        playsInline
        preload="metadata"
        aria-label={t('preview.clipTitle')}
        data-testid="preview-clip"
      />
      <p className="muted small">
        {t('preview.clipFacts', { width: clip.width, height: clip.height, frames: clip.frames, start: frameNumber(clip.startFrame), size: formatBytes(clip.sizeBytes) })}
      </p>
    </section>
  );
}
