// npm start: builds the UI (Vite) and the preload, makes sure the Electron
// runtime is there (fetching it where the network allows), and starts the app
// from this checkout. Main and the engine host run TypeScript through tsx.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';
import { ensureElectronBinary, MISSING_RUNTIME_HELP } from './electron-runtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const binary = ensureElectronBinary();
if (!binary) {
  console.error(`\n${MISSING_RUNTIME_HELP}\n`);
  process.exit(1);
}

console.log('Building the UI (vite build) ...');
const renderer = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (renderer.status !== 0) process.exit(renderer.status ?? 1);
await buildElectron();

const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
