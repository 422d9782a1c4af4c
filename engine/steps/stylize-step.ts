// The stylize step: a fast style by name ("candy" or its model id
// "style-candy") or any style image through an arbitrary-style model
// (MicroAST by default). The style image is checked during planning, so a
// missing or non-image file is a usage error before any frame is decoded,
// and read once when the stage is built. Temporal stabilisation is on by
// default for video and off for still images.
import path from 'node:path';
import type { StylizeStep } from '../../common/job-spec.ts';
import type { Catalog } from '../models/catalog.ts';
import { loadStyleImage, styleImageProblem } from '../tasks/style-image.ts';
import { createStyleStage } from '../tasks/style-transfer.ts';
import { InvalidStepError, manifestForTask, type StepBuilder } from './step-builder.ts';

const FAST_STYLE_PREFIX = 'style-';
export const DEFAULT_ARBITRARY_STYLE_MODEL = 'microast';

/** Style names the catalog offers ("candy", ...), from its style-fast models. */
export function fastStyleNames(catalog: Catalog): string[] {
  return catalog.list('style-fast').map((model) => (model.id.startsWith(FAST_STYLE_PREFIX) ? model.id.slice(FAST_STYLE_PREFIX.length) : model.id));
}

/** The model id of a step: its fast style's model, or the arbitrary model for a style image. */
export function styleModelId(step: StylizeStep, index: number, catalog: Catalog): string {
  if (step.style === undefined) {
    const id = step.model ?? DEFAULT_ARBITRARY_STYLE_MODEL;
    manifestForTask(catalog, id, 'style-arbitrary', step, index);
    return id;
  }
  const wanted = step.style.trim().toLowerCase();
  const id = [wanted, `${FAST_STYLE_PREFIX}${wanted}`].find((candidate) => catalog.has(candidate) && catalog.get(candidate).task === 'style-fast');
  if (!id) {
    throw new InvalidStepError(step, index, `unknown style "${step.style}"; choose one of ${fastStyleNames(catalog).join(', ')}, or give a style image`);
  }
  if (step.model !== undefined && step.model !== id) {
    throw new InvalidStepError(step, index, `the style "${step.style}" is the model "${id}"; leave out the model "${step.model}" or give a style image instead`);
  }
  return id;
}

function labelPart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'style';
}

export const stylizeStepBuilder: StepBuilder<StylizeStep> = {
  kind: 'stylize',

  validate(step, index, catalog) {
    styleModelId(step, index, catalog);
    if (step.styleImage !== undefined) {
      const problem = styleImageProblem(step.styleImage);
      if (problem) throw new InvalidStepError(step, index, `${problem}. Give an existing image file`);
    }
  },

  label(step) {
    if (step.style !== undefined) return `stylized-${labelPart(step.style.replace(/^style-/i, ''))}`;
    return `stylized-${labelPart(path.parse(step.styleImage ?? '').name)}`;
  },

  appliesToImages: () => true,

  async build(step, context) {
    const modelId = styleModelId(step, context.index, context.catalog);
    const manifest = context.catalog.get(modelId);
    const style = step.styleImage !== undefined
      ? await loadStyleImage(step.styleImage, { styleSize: step.styleSize, multiple: manifest.padMultiple, signal: context.signal })
      : undefined;
    const isVideo = context.source !== undefined && !context.source.video.isImage;
    const session = await context.session({ modelId });
    return createStyleStage({
      session,
      manifest,
      style,
      strength: step.strength,
      keepColors: step.keepColors,
      stabilize: isVideo && (step.stabilize ?? true),
      tileSize: context.tile,
      releaseSession: false,
      onNotice: (notice) => context.onNotice(notice.message),
    });
  },
};
