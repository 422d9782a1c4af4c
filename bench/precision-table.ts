// `npm run bench -- precision`: the precision table. For every catalog model
// that precision auto can measure here (reference media present), a fresh
// measurement exactly as `--precision auto` makes it on first use (its own
// int8 variant calibrated in a temporary cache, 5 alternating timing rounds,
// PSNR against the true frame or against fp32), and the pick. Printed as a
// Markdown table; nothing is asserted.
import os from 'node:os';
import path from 'node:path';
import { Catalog } from '../engine/models/catalog.ts';
import { ModelResolver } from '../engine/models/model-resolver.ts';
import { modelSearchPath } from '../engine/models/model-search-path.ts';
import { OnnxWorkerBackend } from '../engine/inference/onnx-worker-backend.ts';
import { PrecisionResolver } from '../engine/precision/precision-resolver.ts';
import { qualityBoundFor, type PrecisionMeasurement } from '../engine/precision/precision-picker.ts';
import { machineDescription, readPrecisionRecord, recordPath } from '../engine/precision/precision-records.ts';
import { sharedMediaDir } from '../test/helpers/shared-assets.ts';

/** The models measured: RIFE, the super-resolution models that run in seconds here, and the style models. */
export const PRECISION_MODELS = ['rife-v4.6', 'realesr-animevideov3-x4', 'realesr-animevideo-xs-x2', 'realesr-general-x4v3', 'style-candy', 'microast'] as const;

function cell(measurement: PrecisionMeasurement | undefined): string {
  if (!measurement) return '-';
  if (!measurement.available) return 'unavailable';
  const quality = measurement.psnrDb === undefined ? '' : `, ${measurement.psnrDb >= 99 ? 'exact' : `${measurement.psnrDb.toFixed(2)} dB`}`;
  return `${measurement.msPerRun?.toFixed(0) ?? '?'} ms${quality}`;
}

/** Measures every model in a fresh cache under `work`; returns the printed table. */
export async function runPrecisionTable(work: string): Promise<string> {
  const media = sharedMediaDir();
  if (!media) throw new Error('bench precision: ../shared/media (or FRAMESMITH_MEDIA) is missing');
  const cacheDir = path.join(work, 'converted');
  const catalog = await Catalog.load();
  const models = new ModelResolver({ catalog, roots: modelSearchPath(), cacheDir: work });
  const backend = new OnnxWorkerBackend({ cacheDir });
  const threads = os.availableParallelism();
  const resolver = new PrecisionResolver({ backend, cacheDir, referenceDir: media, threads });
  const machine = await machineDescription(threads);
  const rows: string[] = [];
  try {
    for (const id of PRECISION_MODELS) {
      process.stderr.write(`bench precision: ${id} ...\n`);
      const model = await models.resolve(id);
      const resolution = await resolver.resolve(model, 'auto', { measure: true });
      const record = await readPrecisionRecord(recordPath(cacheDir, model.manifest.sha256, machine));
      const of = (precision: string) => record?.measurements.find((entry) => entry.precision === precision);
      const bound = qualityBoundFor(model.manifest.task);
      const boundText = bound.kind === 'loss-against-truth' ? `<= ${bound.maxLossDb} dB below fp32 vs truth` : `>= ${bound.minDb} dB vs fp32`;
      const fp32 = of('fp32')?.msPerRun;
      const int8 = of('int8')?.msPerRun;
      const speedup = fp32 !== undefined && int8 !== undefined ? `${(fp32 / int8).toFixed(2)}x` : '-';
      rows.push(`| ${id} | ${cell(of('fp32'))} | ${cell(of('fp16'))} | ${cell(of('int8'))} | ${speedup} | ${boundText} | ${resolution.precision} |`);
    }
  } finally {
    await backend.dispose();
  }
  return [
    `Precision table, ${machine}; load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}`,
    'Time per run on the reference inputs (fastest of 5 alternating rounds); quality: PSNR vs the true middle frame (RIFE) or vs fp32 (others). bf16: refused by this onnxruntime\'s CPU provider (no bf16 Conv).',
    '',
    '| model | fp32 | fp16 | int8 | int8 speed-up | bound | auto picks |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
