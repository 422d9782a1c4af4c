// npm start: builds the UI (Vite) when it is missing or older than its
// sources (the same check as `framesmith serve`: cli/ui-build.ts), builds the
// preload, makes sure the Electron runtime is there (fetching it where the
// network allows), and starts the app from this checkout. Main and the
// engine host run TypeScript through tsx.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { buildElectron } from './build-electron.mjs';
import { ensureElectronBinary, MISSING_RUNTIME_HELP } from './electron-runtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const binary = ensureElectronBinary();
if (!binary) {
  console.error(`\n${MISSING_RUNTIME_HELP}\n`);
  process.exit(1);
}

register();
const { ensureUiBuilt } = await import('../cli/ui-build.ts');
const ui = await ensureUiBuilt({ root, notice: (line) => console.log(line) });
if (ui === 'failed' || ui === 'no-vite') process.exit(1);
await buildElectron();

const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
