// The saved Redis password never travels back to a page: settings:get and
// farm:test answers carry REDIS_PASSWORD_MASK in its place, and a URL that
// comes back with the mask (the form saved again, or tested unchanged)
// stands for the saved password. A URL with another password replaces it.
import { REDIS_PASSWORD_MASK, type Settings } from '../../common/api/contract.ts';

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The URL with its password (if any) replaced by the mask. */
export function maskRedisPassword(url: string): string {
  const value = parsed(url);
  if (!value?.password) return url;
  value.password = REDIS_PASSWORD_MASK;
  return value.toString();
}

/** `url` with the mask replaced by the saved URL's password; unchanged when it carries none or another. */
export function unmaskRedisPassword(url: string, saved: string | null): string {
  const value = parsed(url);
  if (!value || decodeURIComponent(value.password) !== REDIS_PASSWORD_MASK) return url;
  const savedValue = saved ? parsed(saved) : undefined;
  value.password = savedValue?.password ?? '';
  return value.toString();
}

/** Settings as a page may see them. */
export function maskedSettings(settings: Settings): Settings {
  const url = settings.farm.redisUrl;
  return url === null ? settings : { ...settings, farm: { ...settings.farm, redisUrl: maskRedisPassword(url) } };
}
