import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FramesmithError } from '../../../common/errors.ts';
import { modelCatalogSchema } from '../../../common/model-manifest.ts';
import { Catalog, closeIds } from '../../../engine/models/catalog.ts';
import { bundledCatalogPath } from '../../../engine/models/repo-paths.ts';

async function bundledJson(): Promise<{ version: number; models: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(bundledCatalogPath, 'utf8'));
}

function caught(action: () => unknown): FramesmithError {
  try {
    action();
  } catch (error) {
    if (error instanceof FramesmithError) return error;
    throw error;
  }
  throw new Error('expected a FramesmithError');
}

describe('models/catalog.json', () => {
  it('parses with the manifest schema and has unique ids', async () => {
    const raw = await bundledJson();
    const parsed = modelCatalogSchema.parse(raw);
    const ids = parsed.models.map((model) => model.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(12);
  });

  it('lists the models the engine needs, with the facts MODELS.md gives', async () => {
    const catalog = await Catalog.load();
    expect(catalog.list('super-resolution').map((model) => model.id)).toEqual([
      'realesr-general-x4v3', 'realesr-general-wdn-x4v3', 'realesr-animevideov3-x4', 'realesr-animevideo-xs-x2', 'realesrgan-x4plus-anime',
    ]);
    expect(catalog.list('style-fast').map((model) => model.id)).toEqual([
      'style-candy', 'style-mosaic', 'style-pointilism', 'style-rain-princess', 'style-udnie',
    ]);
    expect(catalog.get('realesr-general-x4v3').denoisePartner).toBe('realesr-general-wdn-x4v3');
    expect(catalog.get('realesr-general-x4v3').inputs[0]!.dtype).toBe('float16');
    const rife = catalog.get('rife-v4.6');
    expect([rife.padMultiple, rife.tileable]).toEqual([32, false]);
    expect(rife.inputs.map((input) => input.role)).toEqual(['image0', 'image1', 'timestep']);
    const candy = catalog.get('style-candy');
    expect([candy.valueRange, candy.clampOutput, candy.tileable]).toEqual([[0, 255], true, false]);
    expect(catalog.get('microast').inputs.map((input) => `${input.name}:${input.role}`)).toEqual(['content:content', 'style:style', 'alpha:alpha']);
    for (const model of catalog.models) expect(model.licence.length).toBeGreaterThan(2);
  });
});

describe('Catalog', () => {
  it('names the entry and the field of a bad value', async () => {
    const raw = await bundledJson();
    const inputs = raw.models[6]!.inputs as Record<string, unknown>[];
    inputs[0]!.dtype = 'int8';
    const error = caught(() => Catalog.fromJson(raw, 'test-catalog.json'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.userMessage).toContain('test-catalog.json');
    expect(error.userMessage).toContain(`model "${String(raw.models[6]!.id)}" (entry 6) field inputs[0].dtype`);
  });

  it('refuses duplicate ids and unknown denoise partners', async () => {
    const raw = await bundledJson();
    raw.models.push({ ...raw.models[0]!, denoisePartner: 'no-such-model' });
    const error = caught(() => Catalog.fromJson(raw, 'dup.json'));
    expect(error.userMessage).toContain('model "realesr-general-x4v3" is listed twice');
    expect(error.userMessage).toContain('denoisePartner names "no-such-model"');
  });

  it('answers an unknown id with MODEL_NOT_FOUND and close ids', async () => {
    const catalog = await Catalog.load();
    const error = caught(() => catalog.get('candy'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.userMessage).toContain('"style-candy"');
    const typo = caught(() => catalog.get('rife-v46'));
    expect(typo.userMessage).toContain('"rife-v4.6"');
    const nothingClose = caught(() => catalog.get('zzzzzzzzzzzzzzzz'));
    expect(nothingClose.userMessage).toContain('framesmith models list');
  });

  it('ranks close ids by containment, then edit distance', () => {
    const known = ['style-candy', 'style-mosaic', 'rife-v4.6', 'realesr-general-x4v3'];
    expect(closeIds('mosaic', known)).toEqual(['style-mosaic']);
    expect(closeIds('rife-v4.7', known)).toEqual(['rife-v4.6']);
    expect(closeIds('realesr-general-x4v2', known)).toEqual(['realesr-general-x4v3']);
    expect(closeIds('unrelated', known)).toEqual([]);
  });

  it('rejects a file that is not JSON with INVALID_ARGUMENT', async () => {
    await expect(Catalog.load(new URL(import.meta.url).pathname)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
