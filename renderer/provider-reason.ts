// Why an execution provider does not run, in a user's words. The engine sends
// a code (ProviderReasonKind) and the technical detail; the detail (library
// names, paths, native messages) stays behind "Details", and no command to
// type ever reaches the GUI. A status from an older server has no code and
// reads "not available". A missing GPU runtime points to Settings' GPU
// section by its title.
import type { TFunction } from 'i18next';
import type { ProviderReasonKind, ProviderStatus } from '../common/api/api-types.ts';

/** The i18n key that words each kind. */
export const PROVIDER_REASON_KEYS: Readonly<Record<ProviderReasonKind, string>> = {
  'not-installed': 'providers.notInstalled',
  'driver-missing': 'providers.driverMissing',
  'no-gpu-found': 'providers.noGpuFound',
  'wrong-os': 'providers.wrongOs',
  'not-in-build': 'providers.notInBuild',
  'other-requested': 'providers.otherRequested',
  'earlier-chosen': 'providers.earlierChosen',
  failed: 'providers.failed',
};

/** Where a provider runs at all, for 'wrong-os' (an i18n key per provider). */
export const WRONG_OS_KEYS: Readonly<Record<string, string>> = {
  tensorrt: 'providers.wrongOsNvidia',
  cuda: 'providers.wrongOsNvidia',
  dml: 'providers.wrongOsWindows',
  coreml: 'providers.wrongOsMac',
};

/** One line for a person: available, or why not. */
export function providerReasonText(t: TFunction, status: ProviderStatus): string {
  if (status.available) return t('settings.providerAvailable');
  if (status.kind === undefined) return t('settings.providerUnavailable');
  if (status.kind === 'wrong-os') return t(WRONG_OS_KEYS[status.provider] ?? PROVIDER_REASON_KEYS['wrong-os']);
  return t(PROVIDER_REASON_KEYS[status.kind], { section: t('gpu.title') });
}
