// ffmpeg for a packaged app. By default the binaries of the npm packages
// @ffmpeg-installer/<os>-<arch> and @ffprobe-installer/<os>-<arch> travel
// inside node_modules, unpacked from the asar (the engine's locator rewrites
// app.asar to app.asar.unpacked); electron-builder's afterPack hook
// (afterPack below) sets their execute bits, which npm leaves off when
// install scripts are disabled. FRAMESMITH_FFMPEG_DIR overrides them with a
// newer static build copied to resources/ffmpeg, which the locator tries
// first. Either way FFmpeg's licence (GPL: these builds enable x264/x265)
// and a pointer to the exact sources ship in resources/licenses/ffmpeg.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** electron-builder's platform names to Node's. */
const NODE_PLATFORM = { win: 'win32', mac: 'darwin', linux: 'linux' };

/** Folder of an installed npm package, or undefined. */
function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The npm packages carrying ffmpeg and ffprobe for a target, with what their package.json says about the build. */
export function npmFfmpegPackages(targetOs, arch) {
  const platform = `${NODE_PLATFORM[targetOs] ?? targetOs}-${arch}`;
  const exe = targetOs === 'win' ? '.exe' : '';
  return ['ffmpeg', 'ffprobe'].map((tool) => {
    const name = `@${tool}-installer/${platform}`;
    const dir = packageDir(name);
    const manifest = dir ? JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) : undefined;
    return {
      tool,
      name,
      dir,
      binary: dir ? path.join(dir, `${tool}${exe}`) : undefined,
      version: manifest?.version,
      build: manifest?.[tool],
      homepage: manifest?.homepage,
      license: manifest?.license,
    };
  });
}

/** The GPL text shipped with the binaries (Debian's copy, or the one in the repo). */
function gplText(root) {
  return readFileSync(path.join(root, 'resources', 'licenses', 'GPL-3.0.txt'), 'utf8');
}

/**
 * Fills `build/ffmpeg/<os>-<arch>` (only with FRAMESMITH_FFMPEG_DIR) and
 * `build/licenses/ffmpeg` (always). Returns what will ship, for the log.
 */
export function prepareFfmpeg({ root, targetOs, arch, overrideDir, ffmpegOut, licenceOut = path.join(root, 'build', 'licenses', 'ffmpeg') }) {
  const exe = targetOs === 'win' ? '.exe' : '';
  rmSync(ffmpegOut, { recursive: true, force: true });
  rmSync(licenceOut, { recursive: true, force: true });
  mkdirSync(ffmpegOut, { recursive: true });
  mkdirSync(licenceOut, { recursive: true });
  const lines = ['FFmpeg is free software licensed under the GNU General Public License version 3 (these builds enable GPL parts such as x264 and x265); the full text is in GPL-3.0.txt beside this file.', ''];
  if (overrideDir) {
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const source = path.join(overrideDir, `${tool}${exe}`);
      if (!existsSync(source)) throw new Error(`FRAMESMITH_FFMPEG_DIR has no ${tool}${exe} (${source}).`);
      copyFileSync(source, path.join(ffmpegOut, `${tool}${exe}`));
      if (exe === '') chmodSync(path.join(ffmpegOut, tool), 0o755);
    }
    lines.push(`The ffmpeg and ffprobe in resources/ffmpeg were copied from ${overrideDir} when this package was built.`, 'Their source: the FFmpeg release they report with `ffmpeg -version`, from https://ffmpeg.org/download.html (git: https://git.ffmpeg.org/ffmpeg.git), and the build configuration `ffmpeg -buildconf` prints.');
  } else {
    const packages = npmFfmpegPackages(targetOs, arch);
    const missing = packages.filter((entry) => !entry.binary || !existsSync(entry.binary));
    if (missing.length > 0) {
      throw new Error(`${missing.map((entry) => entry.name).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed for ${targetOs}-${arch} (npm installs only this machine's platform): set FRAMESMITH_FFMPEG_DIR to a folder with static ffmpeg${exe} and ffprobe${exe} for the target.`);
    }
    for (const entry of packages) {
      const commit = /-g?([0-9a-f]{7,})$/.exec(entry.build ?? '')?.[1];
      lines.push(
        `${entry.tool}: from the npm package ${entry.name}@${entry.version} (license ${entry.license}), build ${entry.build ?? 'unknown'}, made by ${entry.homepage ?? 'its publisher'}.`,
        `  Source: FFmpeg git ${commit ? `commit ${commit}` : 'at the date above'}, https://git.ffmpeg.org/ffmpeg.git${commit ? ` (https://github.com/FFmpeg/FFmpeg/commit/${commit})` : ''}; the static build's recipe and its libraries' sources: ${entry.homepage ?? 'the publisher'}.`,
        `  Inside the app: resources/app.asar.unpacked/node_modules/${entry.name}/.`,
      );
    }
  }
  lines.push('', 'To get the complete corresponding source of a binary shipped here, ask the Framesmith maintainers; the offer stands for three years from this release.');
  writeFileSync(path.join(licenceOut, 'SOURCE.txt'), `${lines.join('\n')}\n`);
  writeFileSync(path.join(licenceOut, 'GPL-3.0.txt'), gplText(root));
  return { ffmpegOut, licenceOut, source: overrideDir ? 'override' : 'npm' };
}

/** Files whose execute bit afterPack sets: the npm ffmpeg binaries unpacked beside the asar, and resources/ffmpeg. */
export function packagedFfmpegBinaries(resourcesDir) {
  const found = [];
  for (const scope of ['@ffmpeg-installer', '@ffprobe-installer']) {
    const folder = path.join(resourcesDir, 'app.asar.unpacked', 'node_modules', scope);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      for (const tool of ['ffmpeg', 'ffprobe']) {
        const file = path.join(folder, name, tool);
        if (existsSync(file) && statSync(file).isFile()) found.push(file);
      }
    }
  }
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const file = path.join(resourcesDir, 'ffmpeg', tool);
    if (existsSync(file)) found.push(file);
  }
  return found;
}

/** The resources folder inside electron-builder's output for a platform. */
export function resourcesDirOf(appOutDir, electronPlatformName, productFilename) {
  return electronPlatformName === 'darwin' || electronPlatformName === 'mas'
    ? path.join(appOutDir, `${productFilename}.app`, 'Contents', 'Resources')
    : path.join(appOutDir, 'resources');
}

/**
 * electron-builder afterPack hook (electron-builder.yml: afterPack): the
 * execute bits of the packaged ffmpeg and ffprobe. Windows needs none.
 */
export async function afterPack(context) {
  if (context.electronPlatformName === 'win32') return;
  const resources = resourcesDirOf(context.appOutDir, context.electronPlatformName, context.packager?.appInfo?.productFilename ?? 'Framesmith');
  for (const file of packagedFfmpegBinaries(resources)) chmodSync(file, 0o755);
}

// electron-builder loads the hook module and calls its default export.
export default afterPack;
