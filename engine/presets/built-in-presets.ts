// The presets every installation has. They can be used and duplicated, not
// overwritten or deleted. "any-style" names no style image: a run supplies
// one (framesmith run --preset any-style --style-image FILE).
import { PRESET_FORMAT, PRESET_VERSION, parsePreset, type Preset, type PresetInput } from '../../common/preset.ts';

const FAST_STYLES = ['candy', 'mosaic', 'pointilism', 'rain-princess', 'udnie'] as const;

function preset(name: string, description: string, steps: PresetInput['steps']): PresetInput {
  return { format: PRESET_FORMAT, version: PRESET_VERSION, name, description, steps };
}

const DEFINITIONS: readonly PresetInput[] = [
  preset('upscale-photo-x4', 'Photos and real-world video, 4x (Real-ESRGAN general v3).', [{ kind: 'upscale', model: 'realesr-general-x4v3' }]),
  preset('upscale-anime-x2', 'Anime and cartoons, 2x (fast compact model).', [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }]),
  preset('smooth-60fps', 'Interpolate to 60 frames per second (RIFE).', [{ kind: 'interpolate', fps: '60' }]),
  preset('upscale-x2-60fps', 'Upscale 2x, then interpolate to 60 frames per second.', [
    { kind: 'upscale', model: 'realesr-animevideov3-x4', scale: 2 },
    { kind: 'interpolate', fps: '60' },
  ]),
  ...FAST_STYLES.map((style) => preset(`style-${style}`, `The ${style} painting style.`, [{ kind: 'stylize', style }])),
  preset('any-style', 'The style of any image you give.', [{ kind: 'stylize', styleImage: 'style-image-required' }]),
];

/** The built-in presets, validated (a broken definition fails loudly at start-up). */
export function builtInPresets(): Preset[] {
  return DEFINITIONS.map((definition) => parsePreset(definition));
}

/** Placeholder a run must replace with a real style image. */
export const STYLE_IMAGE_PLACEHOLDER = 'style-image-required';
