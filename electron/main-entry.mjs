// Entry of the Electron main process (package.json "main"): tsx compiles
// electron/main.ts on load.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
