// Builds what Electron cannot load from source: the preload, bundled into one
// CommonJS file (sandboxed preloads may require only 'electron'); and the
// compiled JavaScript a packaged app runs instead of compiling TypeScript at
// start-up with tsx (whose cache would live in the shared temp folder, where
// another user could plant code, and outside the asar): main, the engine
// host and the inference worker, each one ES module in dist/electron with
// the npm packages left external (native code loads from node_modules).
// `npm start` from a checkout still runs the sources through tsx
// (electron/*-entry.mjs); the package's "main" is dist/electron/main.mjs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as bundle } from 'esbuild';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildElectron() {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir: path.join(root, 'dist', 'electron'),
      emptyOutDir: true,
      minify: false,
      sourcemap: true,
      target: 'node22',
      lib: { entry: path.join(root, 'electron', 'preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
      rollupOptions: { external: ['electron'] },
    },
  });
  await bundleRuntime(path.join(root, 'dist', 'electron'));
}

/** The compiled main, engine host and inference worker, in `outDir`. */
export async function bundleRuntime(outDir) {
  await bundle({
    absWorkingDir: root,
    entryPoints: {
      main: path.join(root, 'electron', 'main.ts'),
      'engine-host': path.join(root, 'electron', 'engine-host.ts'),
      'onnx-worker': path.join(root, 'engine', 'inference', 'onnx-worker.ts'),
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    external: ['electron'],
    sourcemap: false,
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
  console.log('Built dist/electron/preload.cjs, main.mjs, engine-host.mjs and onnx-worker.mjs');
}
