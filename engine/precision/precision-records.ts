// Precision measurements are made once per model file and machine and kept
// in the cache: one small JSON file per (model sha256, machine), written
// durably, so concurrent processes never merge into one file. The machine is
// what changes the answer: CPU model and its numeric extensions, core count,
// architecture, onnxruntime version and the thread count the session uses.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeJsonDurably } from '../storage/durable-json.ts';
import { MEASURED_PRECISIONS } from './precision-picker.ts';
import type { PrecisionChoice, PrecisionMeasurement } from './precision-picker.ts';

/** CPU flags that decide which numeric paths exist. */
const NUMERIC_FLAGS = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_bf16', 'amx_int8', 'fma'] as const;

const measurementSchema = z.object({
  precision: z.enum(MEASURED_PRECISIONS),
  available: z.boolean(),
  reason: z.string().optional(),
  msPerRun: z.number().positive().optional(),
  psnrDb: z.number().optional(),
});

const recordSchema = z.object({
  version: z.literal(1),
  modelId: z.string(),
  modelSha256: z.string(),
  machine: z.string(),
  measuredAt: z.string(),
  referenceFiles: z.array(z.string()),
  measurements: z.array(measurementSchema),
  choice: z.object({ precision: z.enum(MEASURED_PRECISIONS), reason: z.string() }),
  /** sha256 of the int8 variant measured, checked before each use. */
  int8Sha256: z.string().optional(),
});
export type PrecisionRecord = z.infer<typeof recordSchema>;

/** A short description of what about this machine decides numeric speed. */
export async function machineDescription(threads: number): Promise<string> {
  let flags: string[] = [];
  try {
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
    const line = cpuinfo.split('\n').find((entry) => entry.startsWith('flags')) ?? '';
    const present = new Set(line.split(':')[1]?.trim().split(/\s+/) ?? []);
    flags = NUMERIC_FLAGS.filter((flag) => present.has(flag));
  } catch {
    // Not Linux: the CPU model name stands for its extensions.
  }
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  // Loaded here, not at start-up: the calling thread runs no sessions (they are in the inference worker).
  const { env } = await import('onnxruntime-node');
  return `${cpu}; ${os.arch()}; ${os.cpus().length} cores; ${flags.join(' ') || 'flags unknown'}; onnxruntime ${env.versions.common}; ${threads} threads`;
}

export function recordPath(cacheDir: string, modelSha256: string, machine: string): string {
  const machineKey = createHash('sha256').update(machine).digest('hex').slice(0, 12);
  return path.join(cacheDir, 'precision', `${modelSha256.slice(0, 16)}.${machineKey}.json`);
}

/** The stored record, or undefined when there is none or it does not parse (it is then measured again). */
export async function readPrecisionRecord(file: string): Promise<PrecisionRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writePrecisionRecord(file: string, record: {
  modelId: string;
  modelSha256: string;
  machine: string;
  referenceFiles: string[];
  measurements: PrecisionMeasurement[];
  choice: PrecisionChoice;
  int8Sha256?: string;
}): Promise<PrecisionRecord> {
  const value: PrecisionRecord = { version: 1, measuredAt: new Date().toISOString(), ...record };
  await mkdir(path.dirname(file), { recursive: true });
  await writeJsonDurably(file, value);
  return value;
}
