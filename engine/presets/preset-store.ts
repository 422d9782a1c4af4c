// Presets on disk: built-ins (code, read-only) plus the user's, one JSON file
// each in <dataDir>/presets/<id>.json, written atomically and durably. Every
// file read is validated and migrated (common/preset.ts); one that fails is
// listed as unreadable instead of breaking the list. Imports validate fully
// before touching the folder, so a refused file changes nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import {
  MAX_PRESET_BYTES,
  PresetFormatError,
  parsePreset,
  parsePresetJson,
  presetIdOf,
  presetNameSchema,
  type Preset,
  type PresetInput,
} from '../../common/preset.ts';
import { isDurableTemporary, removeDurably, sweepTemporaries, writeJsonDurably } from '../storage/durable-json.ts';
import { builtInPresets } from './built-in-presets.ts';
import { exists } from '../base/exists.ts';

export interface PresetEntry {
  id: string;
  builtIn: boolean;
  preset: Preset;
}

function refuse(error: unknown, what: string): never {
  if (error instanceof PresetFormatError) throw new InvalidArgumentError(`${what} was refused: ${error.message}`);
  throw error;
}

export class PresetStore {
  private readonly builtIns: Map<string, Preset>;

  private constructor(readonly dir: string) {
    this.builtIns = new Map(builtInPresets().map((preset) => [presetIdOf(preset.name), preset]));
  }

  static async open(dataDir: string): Promise<PresetStore> {
    const dir = path.join(dataDir, 'presets');
    await fs.mkdir(dir, { recursive: true });
    await sweepTemporaries(dir);
    return new PresetStore(dir);
  }

  /** Built-ins first, then the user's presets by name; unreadable files are reported in `problems`. */
  async list(): Promise<{ presets: PresetEntry[]; problems: string[] }> {
    const presets: PresetEntry[] = [...this.builtIns].map(([id, preset]) => ({ id, builtIn: true, preset }));
    const problems: string[] = [];
    const names = (await fs.readdir(this.dir)).filter((name) => name.endsWith('.json') && !isDurableTemporary(name)).sort();
    for (const name of names) {
      const id = name.slice(0, -'.json'.length);
      try {
        const preset = await this.readFile(path.join(this.dir, name));
        if (this.builtIns.has(id)) continue;
        presets.push({ id, builtIn: false, preset });
      } catch (error) {
        problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { presets, problems };
  }

  private async readFile(file: string): Promise<Preset> {
    const stat = await fs.stat(file);
    if (stat.size > MAX_PRESET_BYTES) throw new PresetFormatError(`The file is ${stat.size} bytes; a preset is at most ${MAX_PRESET_BYTES} bytes.`);
    return parsePresetJson(await fs.readFile(file, 'utf8'));
  }

  /** A preset by name or id; InvalidArgumentError listing the names when absent. */
  async get(nameOrId: string): Promise<PresetEntry> {
    const id = presetIdOf(nameOrId);
    const builtIn = this.builtIns.get(id);
    if (builtIn) return { id, builtIn: true, preset: builtIn };
    const file = path.join(this.dir, `${id}.json`);
    try {
      return { id, builtIn: false, preset: await this.readFile(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') refuse(error, `The preset file ${file}`);
    }
    const { presets } = await this.list();
    throw new InvalidArgumentError(`There is no preset "${nameOrId}". Presets: ${presets.map((entry) => entry.preset.name).join(', ')}.`);
  }

  private async exists(id: string): Promise<boolean> {
    return exists(path.join(this.dir, `${id}.json`));
  }

  /** Creates (or with `replace`, edits) a user preset; built-in names are refused. */
  async save(input: unknown, options: { replace?: boolean } = {}): Promise<PresetEntry> {
    let preset: Preset;
    try {
      preset = parsePreset(input);
    } catch (error) {
      refuse(error, 'The preset');
    }
    const id = presetIdOf(preset.name);
    if (this.builtIns.has(id)) throw new InvalidArgumentError(`"${preset.name}" is a built-in preset; it cannot be overwritten. Save it under another name (duplicate it).`);
    if (!options.replace && (await this.exists(id))) throw new InvalidArgumentError(`A preset named "${preset.name}" exists. Choose another name, or replace it.`);
    await writeJsonDurably(path.join(this.dir, `${id}.json`), preset);
    return { id, builtIn: false, preset };
  }

  /** Changes fields of a user preset (a new name renames it). */
  async edit(nameOrId: string, changes: Partial<PresetInput>): Promise<PresetEntry> {
    const current = await this.get(nameOrId);
    if (current.builtIn) throw new InvalidArgumentError(`"${current.preset.name}" is a built-in preset; duplicate it to change it.`);
    const next = { ...current.preset, ...changes };
    const renamed = presetIdOf(next.name) !== current.id;
    const saved = await this.save(next, { replace: !renamed });
    if (renamed) await removeDurably(path.join(this.dir, `${current.id}.json`));
    return saved;
  }

  /** A copy of any preset (built-ins included) under a new name. */
  async duplicate(nameOrId: string, newName: string): Promise<PresetEntry> {
    const source = await this.get(nameOrId);
    const name = presetNameSchema.safeParse(newName);
    if (!name.success) throw new InvalidArgumentError(`The name "${newName}" was refused: expected ${name.error.issues[0]?.message ?? 'a valid name'}.`);
    return this.save({ ...source.preset, name: name.data });
  }

  async remove(nameOrId: string): Promise<void> {
    const entry = await this.get(nameOrId);
    if (entry.builtIn) throw new InvalidArgumentError(`"${entry.preset.name}" is a built-in preset; it cannot be deleted.`);
    await removeDurably(path.join(this.dir, `${entry.id}.json`));
  }

  /** Imports a preset file; a malformed or hostile file is refused and nothing changes. */
  async importFile(file: string, options: { replace?: boolean } = {}): Promise<PresetEntry> {
    let preset: Preset;
    try {
      preset = await this.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidArgumentError(`There is no file ${file}.`);
      refuse(error, `The preset file ${file}`);
    }
    return this.save(preset, options);
  }

  /** The job settings of a preset (what the queue runs). */
  async resolve(nameOrId: string): Promise<{ id: string; name: string; steps: unknown[]; outputSettings: Record<string, unknown>; processing: Record<string, unknown> }> {
    const { id, preset } = await this.get(nameOrId);
    const { output, processing } = preset;
    return {
      id,
      name: preset.name,
      steps: preset.steps,
      outputSettings: Object.fromEntries(Object.entries({
        codec: output.codec,
        crf: output.crf,
        preset: output.speed,
        pixelFormat: output.pixelFormat,
        container: output.container,
        audio: output.audio,
        subtitles: output.subtitles,
      }).filter(([, value]) => value !== undefined)),
      processing: { provider: processing.provider, tile: processing.tile, precision: processing.precision },
    };
  }

  /** Writes a preset (built-in or not) to a JSON file. */
  async exportFile(nameOrId: string, file: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const entry = await this.get(nameOrId);
    await fs.writeFile(file, `${JSON.stringify(entry.preset, null, 2)}\n`, { flag: options.overwrite ? 'w' : 'wx' }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidArgumentError(`${file} exists. Choose another file name.`);
      throw error;
    });
  }
}
