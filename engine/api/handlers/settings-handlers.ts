// settings:* — the app's settings file: read, and patch with validation of
// what the schema cannot say (a working folder must be absolute).
import path from 'node:path';
import { InvalidArgumentError } from '../../../common/errors.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import type { ApiServices } from '../api-services.ts';

type SettingsChannel = Extract<keyof ApiHandlers, `settings:${string}`>;

export function settingsHandlers({ settings }: Pick<ApiServices, 'settings'>): Pick<ApiHandlers, SettingsChannel> {
  return {
    'settings:get': async () => settings.get(),
    'settings:set': async (patch) => {
      if (typeof patch.workingFolder === 'string' && !path.isAbsolute(patch.workingFolder)) {
        throw new InvalidArgumentError(`The working folder must be an absolute path, got "${patch.workingFolder}".`);
      }
      return settings.set(patch);
    },
  };
}
