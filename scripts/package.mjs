// npm run package [-- --linux|--win|--mac ...]: fills build/ffmpeg/<os>-<arch>
// and build/models, builds the UI and the preload, then runs electron-builder
// with electron-builder.yml. Extra arguments go to electron-builder.
//
// ffmpeg: the binaries of the npm packages @ffmpeg-installer/<os>-<arch> and
// @ffprobe-installer/<os>-<arch>, unpacked from the asar, with their execute
// bits set after packing and FFmpeg's licence and source pointer in
// resources/licenses/ffmpeg (scripts/package-ffmpeg.mjs). FRAMESMITH_FFMPEG_DIR
// (a folder with ffmpeg and ffprobe for the target, e.g. a newer static build
// from https://johnvansickle.com/ffmpeg/ for Linux, gyan.dev or BtbN for
// Windows, evermeet.cx for macOS) overrides them: it is copied to
// resources/ffmpeg, which the app tries first; a build for another platform
// needs it (npm installs only this machine's platform package). Models: the small defaults are copied
// from FRAMESMITH_MODELS or ../shared/models.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';
import { prepareFfmpeg } from './package-ffmpeg.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Models bundled with the app: small, and enough for every task. */
export const DEFAULT_MODELS = [
  'onnx/super-resolution/realesr-animevideov3-x4.onnx',
  'onnx/super-resolution/realesr-general-x4v3.fp16.onnx',
  'onnx/interpolation/rife-v4.6.onnx',
  'onnx/style-fast/candy.onnx',
  'onnx/style-arbitrary/microast.onnx',
];

const args = process.argv.slice(2);
const targetOs = args.includes('--win') ? 'win' : args.includes('--mac') ? 'mac' : args.includes('--linux') ? 'linux' : { win32: 'win', darwin: 'mac' }[process.platform] ?? 'linux';
const arch = args.includes('--arm64') ? 'arm64' : process.arch;

let shipped;
try {
  shipped = prepareFfmpeg({
    root,
    targetOs,
    arch,
    overrideDir: process.env.FRAMESMITH_FFMPEG_DIR,
    ffmpegOut: path.join(root, 'build', 'ffmpeg', `${targetOs}-${arch}`),
  });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
console.log(`ffmpeg: ${shipped.source === 'npm' ? 'the npm packages, unpacked from the asar' : `FRAMESMITH_FFMPEG_DIR copied to ${shipped.ffmpegOut}`}; licence in ${shipped.licenceOut}`);

const modelsRoot = process.env.FRAMESMITH_MODELS ?? path.join(root, '..', 'shared', 'models');
const modelsOut = path.join(root, 'build', 'models');
rmSync(modelsOut, { recursive: true, force: true });
for (const relative of DEFAULT_MODELS) {
  const source = path.join(modelsRoot, relative);
  if (!existsSync(source)) {
    console.warn(`warning: default model ${relative} not found under ${modelsRoot}; the app will offer to download it.`);
    continue;
  }
  mkdirSync(path.dirname(path.join(modelsOut, relative)), { recursive: true });
  copyFileSync(source, path.join(modelsOut, relative));
}

const vite = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
if (vite.status !== 0) process.exit(vite.status ?? 1);
await buildElectron();

const builder = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), '--config', 'electron-builder.yml', ...args], { cwd: root, stdio: 'inherit' });
process.exit(builder.status ?? 1);
