// Which internal flow scale RIFE runs at for a frame size. Practical-RIFE
// advises scale 0.5 for 4K: its blocks were trained on motion of the sizes
// seen at 1080p and below, and at 4K the same motion is twice as many pixels.
// Auto switches above 2560x1440 (QHD), so 1440p and smaller frames keep the
// published behaviour and 4K (and 5K, 8K) gets the reduced scale.
import type { FlowScale } from '../onnx/rife-flow-scale.ts';

/** Frames with more pixels than this run at flow scale 0.5 under 'auto'. */
export const AUTO_HALF_SCALE_ABOVE_PIXELS = 2560 * 1440;

export function chooseFlowScale(setting: 'auto' | FlowScale | undefined, width: number, height: number): FlowScale {
  if (setting === 1 || setting === 0.5) return setting;
  return width * height > AUTO_HALF_SCALE_ABOVE_PIXELS ? 0.5 : 1;
}
