// The few choices the quick-start panel offers for a dropped file, fitted to
// it: a video gets upscale, smooth to 60 fps (unless it already runs that
// fast) and stylize; an image gets upscale and stylize. Pure: the panel
// renders them and the tests read them.
//
// Why the general Real-ESRGAN model for upscaling: nothing tells a photo or a
// filmed video from animation before a model runs, and the anime models
// flatten real texture (skin, foliage, grain) into cel-like areas, while the
// general model does no harm to drawn content. People who know their file is
// anime pick the anime model under "More options".
import type { MediaProbe } from '../common/api/api-types.ts';
import type { Step } from '../common/job-spec.ts';

export type QuickChoiceId = 'upscale' | 'smooth' | 'stylize';

export const QUICK_UPSCALE_MODEL = 'realesr-general-x4v3';
export const QUICK_SMOOTH_MODEL = 'rife-v4.6';
export const QUICK_STYLES = ['mosaic', 'candy', 'udnie', 'rain-princess', 'pointilism'] as const;
export type QuickStyle = (typeof QUICK_STYLES)[number];
/** Longest side an upscale aims for: 4x up to it, else 2x. */
const UPSCALE_TARGET_SIDE = 3840;

export interface QuickChoice {
  id: QuickChoiceId;
  steps: Step[];
  /** The model the choice runs (for install state and the "why" line). */
  modelId: string;
  /** Output size or rate, for the choice's subtitle. */
  result: { width: number; height: number; fps: number };
}

export function upscaleFactor(probe: Pick<MediaProbe, 'width' | 'height'>): 2 | 4 {
  return Math.max(probe.width, probe.height) * 4 <= UPSCALE_TARGET_SIDE ? 4 : 2;
}

function styleModelId(style: QuickStyle): string {
  return `style-${style}`;
}

export function quickChoices(probe: MediaProbe, style: QuickStyle = QUICK_STYLES[0]): QuickChoice[] {
  const same = { width: probe.width, height: probe.height, fps: probe.frameRate };
  const scale = upscaleFactor(probe);
  const choices: QuickChoice[] = [{
    id: 'upscale',
    steps: [{ kind: 'upscale', model: QUICK_UPSCALE_MODEL, scale }],
    modelId: QUICK_UPSCALE_MODEL,
    result: { ...same, width: probe.width * scale, height: probe.height * scale },
  }];
  if (probe.kind === 'video' && probe.frameRate < 59) {
    choices.push({
      id: 'smooth',
      steps: [{ kind: 'interpolate', model: QUICK_SMOOTH_MODEL, fps: '60', sceneThreshold: 0.12, dedup: true, quality: false, slowmoAudio: 'drop' }],
      modelId: QUICK_SMOOTH_MODEL,
      result: { ...same, fps: 60 },
    });
  }
  choices.push({
    id: 'stylize',
    steps: [{ kind: 'stylize', style, strength: 1, keepColors: false, styleSize: 512 }],
    modelId: styleModelId(style),
    result: same,
  });
  return choices;
}
