// The stylize step: a fast style by name ("candy" or its model id
// "style-candy") or any style image through an arbitrary-style model
// (MicroAST by default). The style image is checked during planning, so a
// missing or non-image file is a usage error before any frame is decoded,
// and read once when the stage is built. Temporal stabilisation is on by
// default for video and off for still images.
//
// An arbitrary-style model runs split at its per-job inputs (style image and
// alpha; splitConstantBranch, cached beside the fp32 conversions): the style
// encoder runs once per job instead of once per frame. Where the host opens
// no derived models or the graph does not split, the whole model runs.
import path from 'node:path';
import type { StylizeStep } from '../../common/job-spec.ts';
import type { ModelManifest, TensorSpec } from '../../common/model-manifest.ts';
import type { ModelSession } from '../inference/inference-backend.ts';
import type { Catalog } from '../models/catalog.ts';
import { ELEMENT_TYPE } from '../onnx/onnx-file.ts';
import { ensureSplitModel, GraphSplitError, type SplitModelFiles } from '../onnx/split-constant-branch.ts';
import { loadStyleImage, styleImageProblem } from '../tasks/style-image.ts';
import { createStyleStage, type StylePrelude } from '../tasks/style-transfer.ts';
import { InvalidStepError, manifestForTask, type DerivedModels, type StepBuilder } from './step-builder.ts';

const FAST_STYLE_PREFIX = 'style-';
export const DEFAULT_ARBITRARY_STYLE_MODEL = 'microast';

/** Style names the catalog offers ("candy", ...), from its style-fast models. */
export function fastStyleNames(catalog: Catalog): string[] {
  return catalog.list('style-fast').map((model) => (model.id.startsWith(FAST_STYLE_PREFIX) ? model.id.slice(FAST_STYLE_PREFIX.length) : model.id));
}

/** The model id of a step: its fast style's model, or the arbitrary model for a style image. */
export function styleModelId(step: Pick<StylizeStep, 'kind' | 'style' | 'model'>, index: number, catalog: Catalog): string {
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

/**
 * Manifests of the two parts of a split arbitrary-style model, derived from
 * the whole model's. The boundary tensors carry the style role (they are the
 * style image's features, or alpha's complement); the manifest schema has no
 * rank for them, so their shape is left empty. Undefined when a boundary
 * tensor is neither float32 nor float16 (sessions carry only those).
 */
export function splitManifests(manifest: ModelManifest, files: SplitModelFiles): { prelude: ModelManifest; perFrame: ModelManifest } | undefined {
  const boundary: TensorSpec[] = [];
  for (const tensor of files.boundary) {
    const dtype = tensor.elementTypeCode === ELEMENT_TYPE.FLOAT ? 'float32' : tensor.elementTypeCode === ELEMENT_TYPE.FLOAT16 ? 'float16' : undefined;
    if (!dtype) return undefined;
    boundary.push({ name: tensor.name, dtype, shape: [], role: 'style' });
  }
  const input = (name: string): TensorSpec | undefined => manifest.inputs.find((spec) => spec.name === name);
  const pick = (names: readonly string[]): TensorSpec[] => names.map(input).filter((spec): spec is TensorSpec => spec !== undefined);
  const constant = new Set([...files.preludeInputs, ...files.passThrough]);
  return {
    prelude: {
      ...manifest,
      id: `${manifest.id}.prelude`,
      file: path.basename(files.preludePath),
      sha256: files.preludeSha256,
      sizeBytes: files.preludeSizeBytes,
      inputs: pick(files.preludeInputs),
      outputs: boundary.map((spec) => ({ ...spec, role: 'output' })),
    },
    perFrame: {
      ...manifest,
      id: `${manifest.id}.per-frame`,
      file: path.basename(files.perFramePath),
      sha256: files.perFrameSha256,
      sizeBytes: files.perFrameSizeBytes,
      inputs: [...manifest.inputs.filter((spec) => !constant.has(spec.name)), ...pick(files.passThrough), ...boundary],
    },
  };
}

/** Sessions on the split model: the per-frame session and the prelude; undefined when the model does not split. */
async function openSplitStyleModel(manifest: ModelManifest, derived: DerivedModels, signal: AbortSignal): Promise<{ session: ModelSession; prelude: StylePrelude } | undefined> {
  const constantInputs = manifest.inputs.filter((spec) => spec.role === 'style' || spec.role === 'alpha').map((spec) => spec.name);
  const source = await derived.resolve(manifest.id);
  let files: SplitModelFiles;
  try {
    files = await ensureSplitModel(source.path, constantInputs, derived.cacheDir, { signal });
  } catch (error) {
    if (error instanceof GraphSplitError) return undefined;
    throw error;
  }
  const manifests = splitManifests(manifest, files);
  if (!manifests) return undefined;
  const [preludeSession, session] = await Promise.all([
    derived.open({ manifest: manifests.prelude, path: files.preludePath }),
    derived.open({ manifest: manifests.perFrame, path: files.perFramePath }),
  ]);
  return {
    session,
    prelude: { session: preludeSession, inputs: files.preludeInputs, boundary: files.boundary.map((tensor) => tensor.name), passThrough: files.passThrough },
  };
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
    const split = style && context.derivedModels ? await openSplitStyleModel(manifest, context.derivedModels, context.signal) : undefined;
    if (style && context.derivedModels && !split && isVideo) {
      context.onNotice(`"${modelId}" could not be split at its style input, so its style encoder runs again for every frame (slower, same result).`);
    }
    const session = split?.session ?? await context.session({ modelId });
    return createStyleStage({
      session,
      prelude: split?.prelude,
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
