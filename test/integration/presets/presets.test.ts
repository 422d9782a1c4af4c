// Presets: validation names the field, v1 migrates to v2, built-ins cannot be
// overwritten or deleted, and hostile files are refused leaving the folder unchanged.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePreset, parsePresetJson, PRESET_VERSION } from '../../../common/preset.ts';
import { PresetStore } from '../../../engine/presets/preset-store.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

let temp: TempDir;
let store: PresetStore;

beforeEach(async () => {
  temp = await makeTempDir();
  store = await PresetStore.open(temp.file('data'));
});
afterEach(async () => temp.dispose());

const valid = { format: 'framesmith-preset', version: 2, name: 'My anime', steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }], output: { codec: 'ffv1', audio: 'drop' } };

async function folderState(): Promise<string[]> {
  return (await fs.readdir(store.dir)).sort();
}

describe('preset schema', () => {
  it('names the field and what was expected', () => {
    expect(() => parsePreset({ ...valid, output: { codec: 'divx' } })).toThrow(/output\.codec: .*"h264"/);
    expect(() => parsePreset({ ...valid, steps: [{ kind: 'upscale', scale: 'two' }] })).toThrow(/steps\.0\.scale/);
    expect(() => parsePreset({ ...valid, colour: 'red' })).toThrow(/colour|Unrecognized key/);
    expect(() => parsePreset({ ...valid, version: 9 })).toThrow(/version: expected 1 or 2/);
    // Steps of kinds whose builders land later still validate as data.
    expect(parsePreset({ ...valid, steps: [{ kind: 'interpolate', fps: '60' }, { kind: 'stylize', style: 'candy' }] }).steps).toHaveLength(2);
  });

  it('migrates version 1 to version 2', () => {
    const migrated = parsePreset({ version: 1, name: 'old one', steps: [{ kind: 'upscale', scale: 2 }], codec: 'h265', crf: 20, provider: 'cpu', tile: 256 });
    expect(migrated.version).toBe(PRESET_VERSION);
    expect(migrated.output).toMatchObject({ codec: 'h265', crf: 20, audio: 'copy', subtitles: 'copy' });
    expect(migrated.processing).toEqual({ provider: 'cpu', tile: 256, precision: 'auto' });
    expect(() => parsePreset({ version: 1, name: 'old', steps: [], codec: 'h264' })).toThrow(/version 1 preset: steps/);
  });
});

describe('preset store', () => {
  it('has the built-ins, which can be duplicated but not overwritten or deleted', async () => {
    const names = (await store.list()).presets.filter((entry) => entry.builtIn).map((entry) => entry.preset.name);
    for (const name of ['upscale-photo-x4', 'upscale-anime-x2', 'smooth-60fps', 'upscale-x2-60fps', 'style-candy', 'style-udnie', 'any-style']) expect(names).toContain(name);
    await expect(store.save({ ...valid, name: 'upscale-photo-x4' }, { replace: true })).rejects.toThrow(/built-in/);
    await expect(store.remove('smooth-60fps')).rejects.toThrow(/built-in/);
    const copy = await store.duplicate('upscale-photo-x4', 'photo mine');
    expect(copy.preset.steps).toEqual((await store.get('upscale-photo-x4')).preset.steps);
    await store.edit('photo mine', { output: { codec: 'ffv1', audio: 'drop', subtitles: 'copy' } });
    expect((await store.get('photo mine')).preset.output.codec).toBe('ffv1');
    await store.remove('photo mine');
    await expect(store.get('photo mine')).rejects.toThrow(/no preset/);
  });

  it('imports and exports, and refuses hostile files changing nothing', async () => {
    const good = temp.file('good.json');
    await fs.writeFile(good, JSON.stringify(valid));
    await store.importFile(good);
    await expect(store.importFile(good)).rejects.toThrow(/exists/);
    const exported = temp.file('out.json');
    await store.exportFile('My anime', exported);
    expect(parsePresetJson(await fs.readFile(exported, 'utf8')).name).toBe('My anime');
    const before = await folderState();
    const hostile: Record<string, string> = {
      huge: JSON.stringify({ ...valid, description: 'x'.repeat(400_000) }),
      deep: `{"format":"framesmith-preset","version":2,"name":"d","steps":[${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}]}`,
      proto: `{"format":"framesmith-preset","version":2,"name":"p","steps":[{"kind":"upscale"}],"__proto__":{"polluted":true}}`,
      unknown: JSON.stringify({ ...valid, run: 'rm -rf /' }),
      types: JSON.stringify({ ...valid, steps: 'upscale' }),
      traversal: JSON.stringify({ ...valid, name: '../../etc/passwd' }),
      slash: JSON.stringify({ ...valid, name: 'a/b' }),
      notjson: '{"format": ',
      array: '[1,2,3]',
    };
    for (const [label, text] of Object.entries(hostile)) {
      const file = temp.file(`${label}.json`);
      await fs.writeFile(file, text);
      await expect(store.importFile(file), label).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await folderState()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await fs.readdir(path.dirname(store.dir))).toEqual(['presets']);
  });
});
