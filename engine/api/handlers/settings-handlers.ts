// settings:* — the app's settings file: read, and patch with validation of
// what the schema cannot say (a working folder and the farm's shared root
// must be absolute). The farm's Redis password is answered masked
// (redis-password-mask.ts); a masked URL sent back keeps the saved password.
import path from 'node:path';
import { InvalidArgumentError } from '../../../common/errors.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import type { ApiServices } from '../api-services.ts';
import { maskedSettings, unmaskRedisPassword } from '../redis-password-mask.ts';

type SettingsChannel = Extract<keyof ApiHandlers, `settings:${string}`>;

export function settingsHandlers({ settings }: Pick<ApiServices, 'settings'>): Pick<ApiHandlers, SettingsChannel> {
  return {
    'settings:get': async () => maskedSettings(await settings.get()),
    'settings:set': async (patch) => {
      if (typeof patch.workingFolder === 'string' && !path.isAbsolute(patch.workingFolder)) {
        throw new InvalidArgumentError(`The working folder must be an absolute path, got "${patch.workingFolder}".`);
      }
      const farm = patch.farm;
      if (typeof farm?.sharedRoot === 'string' && !path.isAbsolute(farm.sharedRoot)) {
        throw new InvalidArgumentError(`The farm's shared folder must be an absolute path, got "${farm.sharedRoot}".`);
      }
      const redisUrl = typeof farm?.redisUrl === 'string' ? unmaskRedisPassword(farm.redisUrl, (await settings.get()).farm.redisUrl) : farm?.redisUrl;
      const unmasked = farm ? { ...patch, farm: { ...farm, ...(redisUrl !== undefined ? { redisUrl } : {}) } } : patch;
      return maskedSettings(await settings.set(unmasked));
    },
  };
}
