// What a user asks for: the steps of a chain and the output settings. The CLI
// and the UI build these; the engine validates them before any frame is
// decoded. Later issues add interpolation and style steps to the union.
import { z } from 'zod';

export const OUTPUT_CODECS = ['h264', 'h265', 'vp9', 'av1', 'prores', 'ffv1', 'png'] as const;
export type OutputCodec = (typeof OUTPUT_CODECS)[number];

export const OUTPUT_PIXEL_FORMATS = ['yuv420p', 'yuv420p10le', 'yuv444p'] as const;
export type OutputPixelFormat = (typeof OUTPUT_PIXEL_FORMATS)[number];

export const OUTPUT_CONTAINERS = ['mp4', 'mkv', 'mov', 'webm'] as const;
export type OutputContainerName = (typeof OUTPUT_CONTAINERS)[number];

/**
 * Inference precision. Unset: fp32 on the CPU (fp16 files converted once),
 * the published precision on GPU providers. 'fp32' likewise; 'fp16' runs a
 * model as published (fp16 files in fp16); 'int8' runs a variant quantized
 * around its convolutions (CPU); 'bf16' where the CPU provider has bf16
 * kernels; 'auto' runs on the CPU the fastest variant within the task's
 * quality bound as measured once per model and machine (see
 * measurePrecision), and on GPU providers the published precision.
 */
export const PRECISIONS = ['auto', 'fp32', 'fp16', 'bf16', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const PROVIDER_PREFERENCES = ['auto', 'cpu', 'webgpu', 'cuda', 'tensorrt', 'dml', 'coreml'] as const;

export const tileSizeSchema = z.union([z.literal('auto'), z.number().int().min(32).max(8192)]);

export const upscaleStepSchema = z
  .object({
    kind: z.literal('upscale'),
    model: z.string().min(1).default('realesr-animevideov3-x4'),
    /** Output scale; default the model's own. */
    scale: z.number().positive().max(16).optional(),
    width: z.number().int().positive().max(16384).optional(),
    height: z.number().int().positive().max(16384).optional(),
    /** Real-ESRGAN denoise strength 0..1 (models with a denoise partner only). */
    denoise: z.number().min(0).max(1).optional(),
  })
  .refine((step) => step.scale === undefined || (step.width === undefined && step.height === undefined), {
    message: 'give either a scale or a target width/height, not both',
  });
export type UpscaleStep = z.infer<typeof upscaleStepSchema>;

/** An exact frame rate written as "60", "59.94" or "60000/1001". */
export const frameRateTextSchema = z
  .string()
  .regex(/^\d+(\.\d+)?(\/\d+)?$/, 'a frame rate such as "60", "59.94" or "60000/1001"');

export const interpolateStepSchema = z
  .object({
    kind: z.literal('interpolate'),
    model: z.string().min(1).default('rife-v4.6'),
    /** Frame-rate multiplier: 2, 3, 4 or any factor above 1. */
    multiply: z.number().gt(1).max(16).optional(),
    /** Target frame rate (exact rational text). */
    fps: frameRateTextSchema.optional(),
    /** Scene-cut threshold 0..1: higher detects fewer cuts (see engine/tasks/interpolation-scene.ts). */
    sceneThreshold: z.number().min(0).max(1).default(0.12),
    /** Detect duplicate source frames (static shots, animation on twos) so the output does not stutter. */
    dedup: z.boolean().default(true),
    /** Test-time augmentation: about 3x slower, a little better. */
    quality: z.boolean().default(false),
    /**
     * RIFE's internal flow scale: 1 as published, 0.5 estimates flow on
     * half-size copies (Practical-RIFE's setting for 4K: faster, steadier on
     * large motion). Unset or 'auto': 0.5 for frames larger than 2560x1440.
     */
    flowScale: z.union([z.literal('auto'), z.literal(1), z.literal(0.5)]).optional(),
    /** Slow motion: keep the frame rate and stretch time by this factor. */
    slowmo: z.number().gt(1).max(16).optional(),
    /** With slow motion: drop the audio, or time-stretch it. */
    slowmoAudio: z.enum(['drop', 'stretch']).default('drop'),
  })
  .refine((step) => [step.multiply, step.fps, step.slowmo].filter((value) => value !== undefined).length === 1, {
    message: 'give exactly one of multiply, fps or slowmo',
  });
export type InterpolateStep = z.infer<typeof interpolateStepSchema>;

export const stylizeStepSchema = z
  .object({
    kind: z.literal('stylize'),
    /** A fast style by name (candy, mosaic, pointilism, rain-princess, udnie) or its model id. */
    style: z.string().min(1).optional(),
    /** Any style image (arbitrary style transfer with MicroAST). */
    styleImage: z.string().min(1).optional(),
    /** Model for styleImage; default microast. */
    model: z.string().min(1).optional(),
    /** 0..1: blend with the original (fast styles) or the model's alpha (arbitrary). */
    strength: z.number().min(0).max(1).default(1),
    /** Stylize, then put back the original colours. */
    keepColors: z.boolean().default(false),
    /** Longest side, in pixels, the style image is read at. */
    styleSize: z.number().int().min(64).max(2048).default(512),
    /** Temporal stabilisation against flicker; default on for video. */
    stabilize: z.boolean().optional(),
  })
  .refine((step) => (step.style === undefined) !== (step.styleImage === undefined), {
    message: 'give exactly one of a style name (style) or a style image (styleImage)',
  });
export type StylizeStep = z.infer<typeof stylizeStepSchema>;

export const stepSchema = z.discriminatedUnion('kind', [upscaleStepSchema, interpolateStepSchema, stylizeStepSchema]);
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];

export const outputSettingsSchema = z.object({
  codec: z.enum(OUTPUT_CODECS).default('h264'),
  crf: z.number().int().min(0).max(63).optional(),
  preset: z.string().min(1).optional(),
  pixelFormat: z.enum(OUTPUT_PIXEL_FORMATS).optional(),
  /** Container of planned output names; default the source's where the codec fits, else the codec's own. */
  container: z.enum(OUTPUT_CONTAINERS).optional(),
  /** 'copy' keeps the source's audio (converting only what the container cannot hold); 'transcode' re-encodes it to the container's usual codec. */
  audio: z.enum(['copy', 'transcode', 'drop']).default('copy'),
  /** Subtitles from the source; default 'copy'. */
  subtitles: z.enum(['copy', 'drop']).optional(),
  overwrite: z.boolean().default(false),
});
export type OutputSettings = z.infer<typeof outputSettingsSchema>;

/** Largest input picture (image or video frame) a job accepts when the setting is absent, in megapixels. */
export const DEFAULT_MAX_MEGAPIXELS = 100;
/** The setting's ceiling: 1 gigapixel (a sharp/libvips decode of that size needs about 3 GB). */
export const maxMegapixelsSchema = z.number().positive().max(1000);

export const processingSettingsSchema = z.object({
  provider: z.enum(PROVIDER_PREFERENCES).default('auto'),
  tile: tileSizeSchema.default('auto'),
  threads: z.number().int().positive().max(256).optional(),
  precision: z.enum(PRECISIONS).optional(),
  /** Inputs with more pixels are refused before decoding; default DEFAULT_MAX_MEGAPIXELS. */
  maxMegapixels: maxMegapixelsSchema.optional(),
  /**
   * With precision 'auto': measure the variants now where this model has no
   * record for this machine (tens of seconds, once). Without it, auto uses a
   * recorded measurement and otherwise runs fp32, as an unset precision does.
   */
  measurePrecision: z.boolean().optional(),
});
export type ProcessingSettings = z.infer<typeof processingSettingsSchema>;
