// What a user asks for: the steps of a chain and the output settings. The CLI
// and the UI build these; the engine validates them before any frame is
// decoded. Later issues add interpolation and style steps to the union.
import { z } from 'zod';

export const OUTPUT_CODECS = ['h264', 'h265', 'vp9', 'av1', 'prores', 'ffv1', 'png'] as const;
export type OutputCodec = (typeof OUTPUT_CODECS)[number];

export const OUTPUT_PIXEL_FORMATS = ['yuv420p', 'yuv420p10le', 'yuv444p'] as const;
export type OutputPixelFormat = (typeof OUTPUT_PIXEL_FORMATS)[number];

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

export const stepSchema = upscaleStepSchema;
export type Step = z.infer<typeof stepSchema>;

export const outputSettingsSchema = z.object({
  codec: z.enum(OUTPUT_CODECS).default('h264'),
  crf: z.number().int().min(0).max(63).optional(),
  preset: z.string().min(1).optional(),
  pixelFormat: z.enum(OUTPUT_PIXEL_FORMATS).optional(),
  audio: z.enum(['copy', 'drop']).default('copy'),
  overwrite: z.boolean().default(false),
});
export type OutputSettings = z.infer<typeof outputSettingsSchema>;

export const processingSettingsSchema = z.object({
  provider: z.enum(PROVIDER_PREFERENCES).default('auto'),
  tile: tileSizeSchema.default('auto'),
  threads: z.number().int().positive().max(256).optional(),
});
export type ProcessingSettings = z.infer<typeof processingSettingsSchema>;
