// Every `.param` under ../shared/models/ncnn-params (deduplicated by content;
// CRLF copies count as the same file) converts, loads in onnxruntime and runs
// on deterministic random weights shaped from the param, on a small input.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { parseNcnnParam } from '../../../engine/convert/ncnn-param.ts';
import { convertNcnnGraph, describeGraph } from '../../../engine/convert/ncnn-to-onnx.ts';
import { synthesizeNcnnBin } from '../../../engine/convert/ncnn-weights.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const paramsDir = modelAsset('ncnn-params');

async function uniqueParams(root: string): Promise<{ file: string; bytes: Uint8Array }[]> {
  const files = (await glob('**/*.param', { cwd: root, absolute: true })).sort();
  const seen = new Set<string>();
  const unique: { file: string; bytes: Uint8Array }[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const key = createHash('sha256').update(bytes.toString('latin1').replace(/\r/g, '')).digest('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push({ file, bytes });
  }
  return unique;
}

/**
 * Feeds for a converted graph: images are 3 channels; RIFE v4's third input
 * is the 1-channel timestep. The ncnn RIFE apps pad frames to a multiple of
 * 32 (128 for some newer versions), so a graph that rejects 64 gets 128.
 */
function feedsFor(session: ort.InferenceSession, size: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const channels = name === 'timestep' || (session.inputNames.length === 3 && i === 2) ? 1 : 3;
    const data = new Float32Array(channels * size * size);
    for (let j = 0; j < data.length; j += 1) data[j] = channels === 1 ? 0.5 : ((j * 2654435761) % 1000) / 1000;
    feeds[name] = new ort.Tensor('float32', data, [1, channels, size, size]);
  });
  return feeds;
}

describe.skipIf(!paramsDir)('every ncnn param converts and runs on random weights', () => {
  it('converts, loads and runs each unique .param', async () => {
    const params = await uniqueParams(paramsDir as string);
    expect(params.length).toBeGreaterThan(50);
    const failures: string[] = [];
    for (const { file, bytes } of params) {
      const where = path.relative(paramsDir as string, file);
      try {
        const graph = parseNcnnParam(bytes);
        expect(describeGraph(graph).unsupported).toEqual([]);
        const model = convertNcnnGraph(graph, synthesizeNcnnBin(graph));
        const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 4 });
        let output: ort.Tensor | undefined;
        let lastError: unknown;
        for (const size of [64, 128]) {
          try {
            const result = await session.run(feedsFor(session, size));
            output = result[session.outputNames[0] as string] as ort.Tensor;
            break;
          } catch (error) {
            lastError = error;
          }
        }
        await session.release();
        if (output === undefined) throw lastError;
        expect(output.dims.length).toBeGreaterThanOrEqual(2);
        expect((output.data as Float32Array).every(Number.isFinite)).toBe(true);
      } catch (error) {
        failures.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    process.stdout.write(`ncnn params: ${params.length} unique, ${params.length - failures.length} converted and ran\n`);
    expect(failures).toEqual([]);
  }, 600_000);
});
