// npm run package [-- --linux|--win|--mac ...]: fills build/ffmpeg/<os>-<arch>
// and build/models, builds the UI and the preload, then runs electron-builder
// with electron-builder.yml. Extra arguments go to electron-builder.
//
// ffmpeg: FRAMESMITH_FFMPEG_DIR (a folder with ffmpeg and ffprobe for the
// target, e.g. a static build from https://johnvansickle.com/ffmpeg/ for
// Linux, https://www.gyan.dev/ffmpeg/builds/ or BtbN's builds for Windows,
// https://evermeet.cx/ffmpeg/ for macOS); without it, the ffmpeg on PATH is
// copied, which suits only a build for this very machine (Debian's ffmpeg is
// linked against system libraries). Models: the small defaults are copied
// from FRAMESMITH_MODELS or ../shared/models.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';

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
const exe = targetOs === 'win' ? '.exe' : '';

function which(tool) {
  const found = spawnSync(process.platform === 'win32' ? 'where' : 'which', [tool], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.split(/\r?\n/)[0] : undefined;
}

const ffmpegOut = path.join(root, 'build', 'ffmpeg', `${targetOs}-${arch}`);
rmSync(ffmpegOut, { recursive: true, force: true });
mkdirSync(ffmpegOut, { recursive: true });
for (const tool of ['ffmpeg', 'ffprobe']) {
  const source = process.env.FRAMESMITH_FFMPEG_DIR ? path.join(process.env.FRAMESMITH_FFMPEG_DIR, `${tool}${exe}`) : which(tool);
  if (!source || !existsSync(source)) {
    console.error(`No ${tool}${exe} for ${targetOs}-${arch}: set FRAMESMITH_FFMPEG_DIR to a folder holding a static ${tool}${exe}.`);
    process.exit(1);
  }
  if (!process.env.FRAMESMITH_FFMPEG_DIR) console.warn(`warning: bundling ${source} from PATH; it may depend on this system's libraries. Set FRAMESMITH_FFMPEG_DIR to a static build for a portable package.`);
  copyFileSync(source, path.join(ffmpegOut, `${tool}${exe}`));
}

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
