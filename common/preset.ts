// Presets: a named chain with its output and processing settings, stored as
// JSON files the user can import and export. The schema is versioned: older
// files are migrated on read (v1 was a flat shape: steps plus codec, crf,
// provider and tile at the top), so a preset saved by an earlier release
// keeps working. parsePresetJson refuses anything malformed or hostile
// (oversized, deeply nested, prototype keys, unknown fields, wrong types, a
// name that could escape a folder) with a message naming the field and what
// was expected; parsing never has side effects.
import { z } from 'zod';
import { OUTPUT_CODECS, OUTPUT_CONTAINERS, OUTPUT_PIXEL_FORMATS, PRECISIONS, PROVIDER_PREFERENCES, stepSchema, tileSizeSchema } from './job-spec.ts';
import { describeIssues } from './zod-issues.ts';

export const PRESET_FORMAT = 'framesmith-preset';
export const PRESET_VERSION = 2;
export const MAX_PRESET_BYTES = 256 * 1024;
export const MAX_PRESET_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Names become file names: letters, digits, space, and . _ + ( ) - ; no leading dot, no path separators. */
export const presetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,63}$/, 'a name of 1 to 64 letters, digits, spaces or . _ + ( ) - (starting with a letter or digit)')
  .refine((name) => !name.includes('..'), 'a name without ".."');

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
    steps: z.array(stepSchema).min(1).max(8),
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
    steps: z.array(stepSchema).min(1).max(8),
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
