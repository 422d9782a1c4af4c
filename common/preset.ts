// Presets: a named chain with its output and processing settings, stored as
// JSON files the user can import and export. The schema is versioned: older
// files are migrated on read (v1 was a flat shape: steps plus codec, crf,
// provider and tile at the top), so a preset saved by an earlier release
// keeps working. parsePresetJson refuses anything malformed or hostile
// (oversized, deeply nested, prototype keys, unknown fields, wrong types, a
// name that could escape a folder) with a message naming the field and what
// was expected; parsing never has side effects. A preset is also held to
// what `run` will accept, so nothing imported today fails later: model and
// style ids have the catalog's id form, a target frame rate is a rational in
// (0, 1000], and a name is one no filesystem reserves (Windows' CON, NUL,
// COM1 ... with any extension, or a trailing dot or space).
import { z } from 'zod';
import { OUTPUT_CODECS, OUTPUT_CONTAINERS, OUTPUT_PIXEL_FORMATS, PRECISIONS, PROVIDER_PREFERENCES, stepSchema, tileSizeSchema, type Step } from './job-spec.ts';
import { parseRational } from './rational.ts';
import { describeIssues } from './zod-issues.ts';

export const PRESET_FORMAT = 'framesmith-preset';
export const PRESET_VERSION = 2;
export const MAX_PRESET_BYTES = 256 * 1024;
export const MAX_PRESET_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Device names Windows reserves in every folder, with or without an extension. */
const WINDOWS_RESERVED_NAME = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;

/** True for a file name Windows cannot create (a reserved device name, or a trailing dot or space). */
export function isWindowsReservedName(name: string): boolean {
  return WINDOWS_RESERVED_NAME.test(name.trim()) || /[. ]$/.test(name);
}

/** Names become file names: letters, digits, space, and . _ + ( ) - ; no leading dot, no path separators. */
export const presetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,63}$/, 'a name of 1 to 64 letters, digits, spaces or . _ + ( ) - (starting with a letter or digit)')
  .refine((name) => !name.includes('..'), 'a name without ".."')
  .refine((name) => !isWindowsReservedName(name) && !isWindowsReservedName(presetIdOf(name)), 'a name Windows can use as a file name (not CON, PRN, AUX, NUL, COM1-9 or LPT1-9, no trailing dot or space)');

/** The form of a catalog model id (common/model-manifest.ts), bounded for file names. */
export const PRESET_MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The highest target frame rate `run` accepts (engine/steps/interpolate-step.ts). */
export const PRESET_MAX_FPS = 1000;
/** Longest style image path a preset may carry. */
const MAX_STYLE_IMAGE_PATH = 4096;

/** What `run` would refuse in a step whatever the input: reported as zod issues at import. */
function checkStepForRun(step: Step, where: (string | number)[], context: z.RefinementCtx): void {
  const issue = (field: string, message: string): void => {
    context.addIssue({ code: 'custom', path: [...where, field], message });
  };
  const ids: [string, string | undefined][] = step.kind === 'stylize' ? [['model', step.model], ['style', step.style]] : [['model', step.model]];
  for (const [field, id] of ids) {
    if (id !== undefined && !PRESET_MODEL_ID.test(id)) issue(field, `a model id of 1 to 64 lower-case letters, digits, ".", "_" or "-" (starting with a letter or digit), not "${id.slice(0, 80)}"`);
  }
  if (step.kind === 'interpolate' && step.fps !== undefined) {
    let fps = Number.NaN;
    try {
      const rate = parseRational(step.fps);
      fps = rate.num / rate.den;
    } catch {
      // reported below
    }
    if (!(fps > 0 && fps <= PRESET_MAX_FPS)) issue('fps', `a frame rate above 0 and at most ${PRESET_MAX_FPS} (e.g. 60 or 60000/1001), not "${step.fps}"`);
  }
  if (step.kind === 'stylize' && step.styleImage !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (step.styleImage.length > MAX_STYLE_IMAGE_PATH || /[\u0000]/.test(step.styleImage)) issue('styleImage', `a file path of at most ${MAX_STYLE_IMAGE_PATH} characters`);
  }
}

const presetStepsSchema = z
  .array(stepSchema)
  .min(1)
  .max(8)
  .superRefine((steps, context) => {
    for (const [index, step] of steps.entries()) checkStepForRun(step, [index], context);
  });

export const presetOutputSchema = z
  .object({
    container: z.enum(OUTPUT_CONTAINERS).optional(),
    codec: z.enum(OUTPUT_CODECS).default('h264'),
    /** Quality (CRF-like, lower is better). */
    crf: z.number().int().min(0).max(63).optional(),
    /** Encoder speed preset. */
    speed: z.string().min(1).max(32).optional(),
    pixelFormat: z.enum(OUTPUT_PIXEL_FORMATS).optional(),
    audio: z.enum(['copy', 'transcode', 'drop']).default('copy'),
    subtitles: z.enum(['copy', 'drop']).default('copy'),
  })
  .strict();

export const presetProcessingSchema = z
  .object({
    provider: z.enum(PROVIDER_PREFERENCES).default('auto'),
    tile: tileSizeSchema.default('auto'),
    precision: z.enum(PRECISIONS).default('auto'),
  })
  .strict();

export const presetSchema = z
  .object({
    format: z.literal(PRESET_FORMAT),
    version: z.literal(PRESET_VERSION),
    name: presetNameSchema,
    description: z.string().max(500).optional(),
    steps: presetStepsSchema,
    output: presetOutputSchema.default({ codec: 'h264', audio: 'copy', subtitles: 'copy' }),
    processing: presetProcessingSchema.default({ provider: 'auto', tile: 'auto', precision: 'auto' }),
  })
  .strict();
export type Preset = z.infer<typeof presetSchema>;
export type PresetInput = z.input<typeof presetSchema>;

/** Version 1: the chain and four settings side by side. */
export const presetV1Schema = z
  .object({
    version: z.literal(1),
    name: presetNameSchema,
    steps: presetStepsSchema,
    codec: z.enum(OUTPUT_CODECS).optional(),
    crf: z.number().int().min(0).max(63).optional(),
    provider: z.enum(PROVIDER_PREFERENCES).optional(),
    tile: tileSizeSchema.optional(),
  })
  .strict();
export type PresetV1 = z.infer<typeof presetV1Schema>;

export function migrateV1(v1: PresetV1): PresetInput {
  return {
    format: PRESET_FORMAT,
    version: PRESET_VERSION,
    name: v1.name,
    steps: v1.steps,
    output: { codec: v1.codec ?? 'h264', ...(v1.crf !== undefined ? { crf: v1.crf } : {}), audio: 'copy', subtitles: 'copy' },
    processing: { provider: v1.provider ?? 'auto', tile: v1.tile ?? 'auto', precision: 'auto' },
  };
}

export class PresetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PresetFormatError';
  }
}

/** Refuses prototype keys and nesting deeper than MAX_PRESET_DEPTH, without recursion. */
function assertPlainTree(value: unknown): void {
  const stack: { node: unknown; depth: number; where: string }[] = [{ node: value, depth: 0, where: 'preset' }];
  while (stack.length > 0) {
    const { node, depth, where } = stack.pop() as { node: unknown; depth: number; where: string };
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_PRESET_DEPTH) throw new PresetFormatError(`${where}: nested deeper than ${MAX_PRESET_DEPTH} levels; a preset is a few flat settings.`);
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) throw new PresetFormatError(`${where}: the key "${key}" is not allowed.`);
      stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1, where: `${where === 'preset' ? '' : `${where}.`}${key}` });
    }
  }
}

/** A parsed value of any known version, migrated and validated; throws PresetFormatError naming the field. */
export function parsePreset(value: unknown): Preset {
  assertPlainTree(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PresetFormatError('preset: expected a JSON object.');
  const version = (value as { version?: unknown }).version;
  let current: unknown = value;
  if (version === 1) {
    const v1 = presetV1Schema.safeParse(value);
    if (!v1.success) throw new PresetFormatError(`Invalid version 1 preset: ${describeIssues(v1.error, { whole: 'preset' })}`);
    current = migrateV1(v1.data);
  } else if (version !== PRESET_VERSION) {
    throw new PresetFormatError(`version: expected 1 or ${PRESET_VERSION} but found ${JSON.stringify(version) ?? 'nothing'}.`);
  }
  const parsed = presetSchema.safeParse(current);
  if (!parsed.success) throw new PresetFormatError(`Invalid preset: ${describeIssues(parsed.error, { whole: 'preset' })}`);
  return parsed.data;
}

/** Parses preset JSON text, refusing oversized text before parsing it. */
export function parsePresetJson(text: string): Preset {
  if (text.length > MAX_PRESET_BYTES) throw new PresetFormatError(`The file is ${text.length} bytes; a preset is at most ${MAX_PRESET_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PresetFormatError(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parsePreset(value);
}

/** The id (and file stem) of a preset name: lower case, runs of other characters as "-". */
export function presetIdOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'preset';
}
