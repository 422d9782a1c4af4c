// presets:* — built-in and user presets: list, read, save or edit, duplicate,
// delete, and import/export as JSON text.
import type { PresetEntryView } from '../../../common/api/contract.ts';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { PRESET_FORMAT, PRESET_VERSION, parsePresetJson, PresetFormatError } from '../../../common/preset.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import type { ApiServices } from '../api-services.ts';

type PresetsChannel = Extract<keyof ApiHandlers, `presets:${string}`>;

function entryView(entry: { id: string; builtIn: boolean; preset: PresetEntryView['preset'] }): PresetEntryView {
  return { id: entry.id, builtIn: entry.builtIn, preset: entry.preset };
}

export function presetsHandlers({ presets }: Pick<ApiServices, 'presets'>): Pick<ApiHandlers, PresetsChannel> {
  return {
    'presets:list': async () => {
      const { presets: entries, problems } = await presets.list();
      return { presets: entries.map(entryView), problems };
    },
    'presets:get': async ({ id }) => entryView(await presets.get(id)),
    'presets:save': async ({ preset, previousId, replace }) => {
      const full = { ...preset, format: PRESET_FORMAT, version: PRESET_VERSION } as const;
      const saved = previousId !== undefined ? await presets.edit(previousId, full) : await presets.save(full, { replace });
      return entryView(saved);
    },
    'presets:duplicate': async ({ id, name }) => entryView(await presets.duplicate(id, name)),
    'presets:delete': async ({ id }) => {
      await presets.remove(id);
      return null;
    },
    'presets:importJson': async ({ text, replace }) => {
      let preset;
      try {
        preset = parsePresetJson(text);
      } catch (error) {
        if (error instanceof PresetFormatError) throw new InvalidArgumentError(`The preset file was refused: ${error.message}`);
        throw error;
      }
      return entryView(await presets.save(preset, { replace }));
    },
    'presets:exportJson': async ({ id }) => `${JSON.stringify((await presets.get(id)).preset, null, 2)}\n`,
  };
}
