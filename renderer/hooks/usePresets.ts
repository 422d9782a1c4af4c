// Saved presets (and files that could not be read), for choosers and the presets screen.
import type { PresetList } from '../../common/api/contract.ts';
import { unwrap } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';
import { useAsync, type AsyncState } from './useAsync.ts';

export function usePresets(): AsyncState<PresetList> {
  const api = useApi();
  return useAsync(() => unwrap(api.presets.list()), [api]);
}
