// RIFE `.param` files under ../shared/models/ncnn-params/rife convert with
// deterministic random weights shaped from the param, and their padding
// multiple is measured by running them (engine/models/model-facts.ts).
// Graphs with the same layers and parameters (names aside) are one
// structure and pad alike, so each structure is measured once. The
// catalog's padMultiple of every RIFE download must equal the measured value
// of its .param: a typed value that disagrees fails here. Then one version
// per measured multiple runs at 1280x720, 1920x1080 and an odd size through
// the engine's own path (FrameInterpolator pads to the multiple, runs in the
// worker, crops back) and must give frames of the input's size.
//
// By default the catalog's versions are measured (about a minute on 2 cores);
// FRAMESMITH_RIFE_ALL=1 measures every .param in the folder (also the
// ensemble and fast variants no catalog entry uses) and runs every structure
// at the three sizes (many minutes on 2 cores).
//
// RIFE v1 to v3.1 (two inputs, no timestep) publish only the flow network as
// flownet.param; their contextnet and fusionnet are not in the sources, so the
// graph gives half-size flow, not a frame, and the measurement refuses it (an
// install fails with a clear mismatch instead of a bad job). v3.6 is a whole
// two-input model (the middle frame only); the engine's interpolator needs a
// timestep input, so it is measured but not run at the real sizes.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelManifestMismatchError } from '../../../common/errors.ts';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { parseNcnnParam } from '../../../engine/convert/ncnn-param.ts';
import { convertNcnnGraph } from '../../../engine/convert/ncnn-to-onnx.ts';
import { synthesizeNcnnBin } from '../../../engine/convert/ncnn-weights.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { tensorSpecsFromGraph } from '../../../engine/models/graph-manifest.ts';
import { PAD_MULTIPLE_CANDIDATES, measurePadMultiple } from '../../../engine/models/model-facts.ts';
import { readGraphIo } from '../../../engine/onnx/onnx-graph-io.ts';
import { bundledCatalogPath } from '../../../engine/models/repo-paths.ts';
import { FrameInterpolator } from '../../../engine/tasks/interpolation.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const rifeDir = modelAsset('ncnn-params/rife');

interface RifeParam {
  /** sha256 of the text with CR removed. */
  sha256: string;
  /** Same layers and parameters, names aside. */
  structure: string;
  files: string[];
  bytes: Uint8Array;
}

function normalized(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').replace(/\r/g, '');
}

/** The param text with layer and blob names replaced by their order of appearance. */
function structureOf(text: string): string {
  const blobs = new Map<string, number>();
  const lines = text.split('\n').slice(2).filter((line) => line.trim() !== '').map((line) => {
    const [type, , inputs, outputs, ...rest] = line.trim().split(/\s+/);
    const count = Number(inputs) + Number(outputs);
    const names = rest.slice(0, count).map((blob) => {
      if (!blobs.has(blob)) blobs.set(blob, blobs.size);
      return String(blobs.get(blob));
    });
    return [type, inputs, outputs, ...names, ...rest.slice(count)].join(' ');
  });
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

async function rifeParams(root: string): Promise<RifeParam[]> {
  const bySha = new Map<string, RifeParam>();
  for (const file of (await glob('**/*.param', { cwd: root, absolute: true })).sort()) {
    const bytes = await readFile(file);
    const text = normalized(bytes);
    const sha256 = createHash('sha256').update(text).digest('hex');
    const known = bySha.get(sha256);
    if (known) known.files.push(path.relative(root, file));
    else bySha.set(sha256, { sha256, structure: structureOf(text), files: [path.relative(root, file)], bytes });
  }
  return [...bySha.values()];
}

/** A short label for a param: the folder names it is found under. */
function versionsOf(param: RifeParam): string {
  return [...new Set(param.files.map((file) => path.basename(path.dirname(file))))].join(' ');
}

function testFrame(width: number, height: number, seed: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 7 + seed * 31 + ((i / (width * 3)) | 0)) & 255;
  return { width, height, bitDepth: 8, index: seed, data };
}

const REAL_SIZES: readonly [number, number][] = [[1280, 720], [1920, 1080], [853, 479]];

const FULL = process.env.FRAMESMITH_RIFE_ALL === '1';

interface CatalogRife {
  id: string;
  padMultiple: number;
  recommended?: string;
  paramSha256: string;
}

async function catalogRife(): Promise<CatalogRife[]> {
  const catalog = JSON.parse(await readFile(bundledCatalogPath, 'utf8')) as { downloads: { id: string; padMultiple: number; recommended?: string; files: { name: string; sha256?: string }[] }[] };
  return catalog.downloads.filter((entry) => entry.id.startsWith('rife')).map((entry) => ({
    id: entry.id,
    padMultiple: entry.padMultiple,
    recommended: entry.recommended,
    paramSha256: entry.files.find((file) => file.name.endsWith('.param'))?.sha256 ?? '',
  }));
}

describe.skipIf(!rifeDir)('every RIFE version: measured padding multiple, real frame sizes', () => {
  let work: string;
  let backend: OnnxWorkerBackend;
  let params: RifeParam[];
  let catalog: CatalogRife[];
  /** Measured multiple per structure (undefined: a flow-only graph, not a frame interpolator). */
  const byStructure = new Map<string, { padMultiple: number | undefined; twoInputs: boolean; paramBytes: number; model: { manifest: ModelManifest; path: string } }>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'fs-rife-pad-'));
    backend = new OnnxWorkerBackend({ cacheDir: path.join(work, 'cache'), threads: 2 });
    params = await rifeParams(rifeDir as string);
    catalog = await catalogRife();
  });

  afterAll(async () => {
    await backend?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function converted(param: RifeParam): Promise<{ manifest: ModelManifest; path: string }> {
    const graph = parseNcnnParam(param.bytes);
    const file = path.join(work, `${param.sha256.slice(0, 16)}.onnx`);
    await writeFile(file, convertNcnnGraph(graph, synthesizeNcnnBin(graph), { preset: 'interpolation' }));
    const specs = tensorSpecsFromGraph(await readGraphIo(file), 'interpolation', 1, versionsOf(param));
    const manifest: ModelManifest = {
      id: `rife-${param.sha256.slice(0, 12)}`, task: 'interpolation', displayName: versionsOf(param), description: 'random weights',
      scale: 1, file, sha256: param.sha256, sizeBytes: 1, ...specs, layout: 'NCHW', channelOrder: 'RGB', valueRange: [0, 1],
      padMultiple: 1, clampOutput: true, tileable: false, licence: 'MIT',
    };
    return { manifest, path: file };
  }

  it('measures every RIFE graph; the catalog agrees with every measurement', async () => {
    expect(params.length).toBeGreaterThan(40);
    const inCatalog = new Set(catalog.map((entry) => entry.paramSha256));
    const wanted = FULL ? params : params.filter((param) => inCatalog.has(param.sha256));
    const table: string[] = [];
    for (const param of wanted) {
      let known = byStructure.get(param.structure);
      if (!known) {
        const model = await converted(param);
        const result = await measurePadMultiple(backend, model, model.manifest.inputs.length === 3 ? {} : { candidates: PAD_MULTIPLE_CANDIDATES.filter((multiple) => multiple <= 64) }).catch((error: unknown) => {
          // Only a two-input graph may be refused: v1 to v3.1 give half-size flow, not a frame.
          if (model.manifest.inputs.length === 3 || !(error instanceof ModelManifestMismatchError)) throw error;
          return undefined;
        });
        if (result) expect(result.scale).toBe(1);
        known = {
          padMultiple: result?.padMultiple,
          twoInputs: model.manifest.inputs.length === 2,
          paramBytes: param.bytes.length,
          model: { ...model, manifest: { ...model.manifest, padMultiple: result?.padMultiple ?? 1 } },
        };
        byStructure.set(param.structure, known);
      }
      const note = known.padMultiple === undefined ? 'flow only (no contextnet/fusionnet)' : known.twoInputs ? 'middle frame only (no timestep input)' : '';
      table.push(`${String(known.padMultiple ?? '-').padStart(4)}  ${versionsOf(param)}${note ? `  ${note}` : ''}`);
    }
    process.stdout.write(`RIFE padding multiples, measured (${wanted.length} .param files, ${byStructure.size} structures):\n${table.join('\n')}\n`);

    const measuredBySha = new Map(wanted.map((param) => [param.sha256, byStructure.get(param.structure)!.padMultiple]));
    const disagreements: string[] = [];
    for (const entry of catalog) {
      if (!measuredBySha.has(entry.paramSha256)) {
        disagreements.push(`${entry.id}: its .param (sha256 ${entry.paramSha256}) is not under ncnn-params/rife`);
        continue;
      }
      const measured = measuredBySha.get(entry.paramSha256);
      if (measured !== undefined && measured !== entry.padMultiple) disagreements.push(`${entry.id}: catalog padMultiple ${entry.padMultiple}, measured ${measured}`);
    }
    expect(disagreements).toEqual([]);
    expect(catalog.filter((entry) => measuredBySha.get(entry.paramSha256) !== undefined).length).toBeGreaterThanOrEqual(38);
    for (const id of ['rife-v4.25', 'rife-v4.26']) expect(catalog.find((entry) => entry.id === id)?.padMultiple).toBe(64);
    expect(catalog.find((entry) => entry.id === 'rife-v4.25-lite')?.padMultiple).toBe(128);
    // The ready rife-v4.6 ONNX is the v4.6 graph: its manifest must agree too.
    expect((await Catalog.load()).get('rife-v4.6').padMultiple).toBe(catalog.find((entry) => entry.id === 'rife-v4.6')!.padMultiple);
  }, 600_000);

  // Reads the measurements of the test above (run the file, not this test alone).
  it('runs at 1280x720, 1920x1080 and 853x479 through the padding and cropping path', async () => {
    const frameModels = [...byStructure.values()].filter((entry) => entry.padMultiple !== undefined && !entry.twoInputs);
    expect(frameModels.length).toBeGreaterThan(0);
    let chosen = frameModels;
    if (!FULL) {
      // One per measured multiple: the smallest graph of each (fewest bytes of .param).
      const perMultiple = new Map<number, (typeof frameModels)[number]>();
      for (const entry of frameModels) {
        const held = perMultiple.get(entry.padMultiple!);
        if (!held || entry.paramBytes < held.paramBytes) perMultiple.set(entry.padMultiple!, entry);
      }
      chosen = [...perMultiple.values()];
    }
    const failures: string[] = [];
    for (const { model, padMultiple } of chosen) {
      const session = await backend.open(model, { provider: 'cpu' });
      try {
        const interpolator = new FrameInterpolator({ session, manifest: model.manifest });
        for (const [width, height] of REAL_SIZES) {
          try {
            const first = interpolator.prepare(testFrame(width, height, 1));
            expect(first.paddedWidth % padMultiple!).toBe(0);
            expect(first.paddedHeight % padMultiple!).toBe(0);
            const frame = await interpolator.interpolate(first, interpolator.prepare(testFrame(width, height, 2)), 0.5, 0);
            if (frame.width !== width || frame.height !== height) failures.push(`${model.manifest.displayName} at ${width}x${height}: got ${frame.width}x${frame.height}`);
          } catch (error) {
            failures.push(`${model.manifest.displayName} at ${width}x${height} (padded to a multiple of ${padMultiple}): ${(error as Error).message}`);
          }
        }
      } finally {
        await session.release();
      }
    }
    process.stdout.write(`RIFE at real sizes: ${chosen.map((entry) => `${entry.model.manifest.displayName} (${entry.padMultiple})`).join('; ')}: ${failures.length} failures\n`);
    expect(failures).toEqual([]);
  }, 600_000);
});
