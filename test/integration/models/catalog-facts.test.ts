// The ready models' manifests in models/catalog.json against what the models
// themselves say: padding multiple and scale measured by running each one
// (engine/models/model-facts.ts), tileability read from its graph. A typed
// value that disagrees with the measurement fails here; at run time the
// measured value would win.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { factCorrections, measureModelFacts } from '../../../engine/models/model-facts.ts';
import { sharedModelsDir } from '../../helpers/shared-assets.ts';
import { existsSync } from 'node:fs';

const root = sharedModelsDir();

describe.skipIf(!root)('the catalog\'s ready models agree with their measured facts', () => {
  let work: string;
  let backend: OnnxWorkerBackend;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'fs-catalog-facts-'));
    backend = new OnnxWorkerBackend({ cacheDir: work, threads: 2 });
  });

  afterAll(async () => {
    await backend?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('padding multiple, scale and tiling of every ready model in ../shared', async () => {
    const catalog = await Catalog.load();
    const corrections: string[] = [];
    const table: string[] = [];
    for (const manifest of catalog.models) {
      const file = path.join(root as string, manifest.file);
      if (!existsSync(file)) {
        process.stderr.write(`*** SKIPPED: ${manifest.id}: ${file} is missing ***\n`);
        continue;
      }
      const facts = await measureModelFacts(backend, { manifest, path: file });
      table.push(`${manifest.id}: padding multiple ${facts.padMultiple.value}, scale ${facts.scale.value}, tiles ${facts.tileable.value} (${facts.tileable.source})`);
      corrections.push(...factCorrections(facts).map((text) => `${manifest.id}: ${text}`));
      expect(facts.layout).toEqual({ value: 'NCHW', source: 'graph' });
    }
    process.stdout.write(`${table.join('\n')}\n`);
    expect(table.length).toBeGreaterThan(0);
    expect(corrections).toEqual([]);
  }, 600_000);
});
