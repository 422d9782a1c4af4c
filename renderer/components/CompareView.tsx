// Before and after, one over the other, split by a draggable (and keyboard
// movable) handle; zoom shows the pixels at 1x, 2x or 4x of the result.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ReactCompareSlider, ReactCompareSliderImage } from 'react-compare-slider';
import type { PreviewPair } from '../../common/api/api-types.ts';
import { pngDataUrl } from '../format.ts';

const ZOOMS = ['fit', '1', '2', '4'] as const;
type Zoom = (typeof ZOOMS)[number];

/** `fitWidth`: the widest the picture is drawn at "Fit" (px). */
export function CompareView({ pair, fitWidth = 960 }: { pair: PreviewPair; fitWidth?: number }) {
  const { t } = useTranslation();
  const [zoom, setZoom] = useState<Zoom>('fit');
  const [position, setPosition] = useState(50);
  const width = zoom === 'fit' ? '100%' : `${pair.after.width * Number(zoom)}px`;
  const imageStyle = { imageRendering: zoom === 'fit' ? 'auto' : 'pixelated' } as const;
  return (
    <div className="stack">
      <div className="row">
        <span className="muted small">{t('preview.sizes', { before: `${pair.before.width}×${pair.before.height}`, after: `${pair.after.width}×${pair.after.height}` })}</span>
        <span className="spacer" />
        <span className="muted small" data-testid="slider-position">{t('preview.position', { percent: Math.round(position) })}</span>
        <div role="radiogroup" aria-label={t('preview.zoom')} className="row" style={{ gap: 4 }}>
          {ZOOMS.map((value) => (
            <button key={value} type="button" role="radio" aria-checked={zoom === value} className={`button small${zoom === value ? ' primary' : ''}`} onClick={() => setZoom(value)}>
              {value === 'fit' ? t('preview.zoomFit') : `${value}×`}
            </button>
          ))}
        </div>
      </div>
      <div className="compare compare-viewport">
        <div style={{ width, maxWidth: zoom === 'fit' ? fitWidth : undefined, position: 'relative', margin: zoom === 'fit' ? '0 auto' : undefined }}>
          <span className="compare-label before">{t('preview.before')}</span>
          <span className="compare-label after">{t('preview.after')}</span>
          <ReactCompareSlider
            onPositionChange={setPosition}
            itemOne={<ReactCompareSliderImage src={pair.before.url ?? pngDataUrl(pair.before.pngBase64)} alt={t('preview.before')} style={imageStyle} />}
            itemTwo={<ReactCompareSliderImage src={pair.after.url ?? pngDataUrl(pair.after.pngBase64)} alt={t('preview.after')} style={imageStyle} />}
          />
        </div>
      </div>
    </div>
  );
}
