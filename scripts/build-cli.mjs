// Builds the compiled CLI an installed copy runs (npm pack runs it through
// "prepack"): cli/main.ts and the inference worker bundled into
// dist/cli/framesmith.mjs and dist/cli/onnx-worker.mjs, npm packages left
// external. bin/framesmith.js runs the bundle where the TypeScript sources
// are not installed beside it, so an installed `framesmith` starts without
// compiling anything (and without tsx's cache in the shared temp folder); a
// checkout keeps running its sources through tsx, so a stale bundle is never
// run there. Both bundles sit two folders below the package root, like the
// sources they replace, so paths derived from import.meta.url still hold.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the CLI and its inference worker into `outDir` (default dist/cli). */
export async function buildCli(outDir = path.join(root, 'dist', 'cli')) {
  await build({
    absWorkingDir: root,
    entryPoints: {
      framesmith: path.join(root, 'cli', 'main.ts'),
      'onnx-worker': path.join(root, 'engine', 'inference', 'onnx-worker.ts'),
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
  console.log('Built dist/cli/framesmith.mjs and dist/cli/onnx-worker.mjs');
}
