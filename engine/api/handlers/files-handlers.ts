// files:* — the folder browser the page uses where it has no native dialog
// (the browser UI of `framesmith serve`).
import type { ApiHandlers } from '../api-dispatcher.ts';
import { homeFolder, listDirectory } from '../file-browser.ts';

type FilesChannel = Extract<keyof ApiHandlers, `files:${string}`>;

export function filesHandlers(): Pick<ApiHandlers, FilesChannel> {
  return {
    'files:list': async ({ dir, showHidden }) => listDirectory(dir, { showHidden }),
    'files:home': async () => homeFolder(),
  };
}
