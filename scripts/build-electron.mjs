// Builds what Electron cannot load from source: the preload, bundled into one
// CommonJS file (sandboxed preloads may require only 'electron'). Main and
// the engine host run their TypeScript through tsx (electron/*-entry.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildElectron();
  console.log('Built dist/electron/preload.cjs');
}
