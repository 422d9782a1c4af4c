// Finds the Electron binary that npm's electron package should have fetched.
// Install scripts are off in this repository (.npmrc), so the binary is
// fetched on first `npm start` by electron's own install.js (from GitHub, or
// ELECTRON_MIRROR); where that fails, the message says what to do.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');

export function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const name = process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
    const candidate = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name);
    return existsSync(candidate) ? candidate : undefined;
  }
  const pathFile = path.join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

export const MISSING_RUNTIME_HELP = `The Electron runtime is not installed, and it could not be downloaded here.
It comes from GitHub (github.com/electron/electron/releases); npm's install scripts
are off in this repository, so it is fetched on first "npm start".

Do one of:
  - On a machine with access to GitHub: run "npm start" again (or "node node_modules/electron/install.js").
  - Behind a mirror: ELECTRON_MIRROR=https://your.mirror/electron/ node node_modules/electron/install.js
  - With an Electron ${readVersion()} you already have: ELECTRON_OVERRIDE_DIST_PATH=/path/to/its/folder npm start
  - Without Electron: "npx framesmith serve" opens the same UI in your browser.`;

function readVersion() {
  try {
    return JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
  } catch {
    return '(see package.json)';
  }
}

/**
 * Electron's installer (45 and later) runs only on Node 22.12 or newer; the
 * engine, the CLI and the tests stay on Node 20. A message, not a crash,
 * when an older Node would have to fetch the runtime.
 */
export function installerNodeProblem(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return undefined;
  return `Fetching the Electron runtime needs Node 22.12 or newer (this is Node ${version}). Run "npm start" once with Node 22, or set ELECTRON_OVERRIDE_DIST_PATH; the CLI and "framesmith serve" work on Node 20.`;
}

/** The binary, downloading it first when absent; undefined when that failed. */
export function ensureElectronBinary() {
  const found = electronBinary();
  if (found) return found;
  if (!existsSync(path.join(electronDir, 'install.js'))) return undefined;
  const nodeProblem = installerNodeProblem();
  if (nodeProblem) {
    console.error(nodeProblem);
    return undefined;
  }
  console.log('Electron runtime missing: downloading it (node node_modules/electron/install.js) ...');
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit', cwd: electronDir, timeout: 10 * 60 * 1000 });
  if (result.status !== 0) return undefined;
  return electronBinary();
}
