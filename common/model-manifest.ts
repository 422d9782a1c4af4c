// The manifest of one model, as listed in models/catalog.json. Loading a model
// checks the file against this: its sha256, and its input and output names,
// element types and ranks, so a file that belongs to another model is refused.
import { z } from 'zod';

export const MODEL_TASKS = ['super-resolution', 'interpolation', 'style-fast', 'style-arbitrary'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export const tensorDtypeSchema = z.enum(['float32', 'float16']);
export type TensorDtype = z.infer<typeof tensorDtypeSchema>;

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: tensorDtypeSchema,
  /** Dimensions; a string names a symbolic (free) dimension such as "height". */
  shape: z.array(z.union([z.number().int().positive(), z.string()])),
  /** What the tensor carries, so tasks find their inputs without guessing by name. */
  role: z.enum(['image', 'image0', 'image1', 'timestep', 'content', 'style', 'alpha', 'output']),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"'),
  task: z.enum(MODEL_TASKS),
  displayName: z.string().min(1),
  description: z.string().min(1),
  /** Output size over input size (1 for style and interpolation). */
  scale: z.number().int().positive(),
  /** Path of the ONNX file relative to a model search root (e.g. "onnx/super-resolution/x.onnx"). */
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().positive(),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
  layout: z.literal('NCHW'),
  channelOrder: z.literal('RGB'),
  /** Value range of image tensors: [0, 1] or [0, 255]. */
  valueRange: z.tuple([z.number(), z.number()]),
  /** Inputs must have height and width divisible by this (1 when free). */
  padMultiple: z.number().int().positive(),
  /** Clamp image outputs to valueRange (some style nets overshoot). */
  clampOutput: z.boolean(),
  /** Whether tiles may be processed independently (false: run whole frames where memory allows). */
  tileable: z.boolean(),
  licence: z.string().min(1),
  /** For denoise-strength blending: the model whose weights are blended with this one. */
  denoisePartner: z.string().optional(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export const modelCatalogSchema = z.object({
  version: z.literal(1),
  models: z.array(modelManifestSchema),
});
export type ModelCatalog = z.infer<typeof modelCatalogSchema>;
