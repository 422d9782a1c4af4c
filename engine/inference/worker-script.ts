// Starts worker threads whose entry is TypeScript source. A worker does not
// inherit the loader hooks its parent registered (vitest's, or tsx's from
// bin/framesmith.js), and tsx's own `--import tsx/esm` declines to register
// inside a worker thread before Node 22.22.3 (measured on Node 20.20: the
// worker fails with ERR_UNKNOWN_FILE_EXTENSION). So a .ts entry is started
// through a small eval'd bootstrap that calls tsx's register() explicitly and
// then imports the entry; both are absolute file URLs, so any cwd works.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * The file URL of tsx's ESM register() API (its "import" export). Where
 * import.meta.resolve is missing (some test runners), it is found beside the
 * "require" export that createRequire resolves.
 */
export function tsxApiUrl(): string {
  if (typeof import.meta.resolve === 'function') {
    try {
      const resolved = import.meta.resolve('tsx/esm/api');
      if (resolved.startsWith('file:')) return resolved;
    } catch {
      // fall through to the require-based lookup
    }
  }
  const requirePath = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(requirePath.replace(/\.cjs$/, '.mjs')).href;
}

/** The eval'd source that loads a TypeScript entry in a fresh worker. */
export function typescriptBootstrap(entry: URL): string {
  return [
    `import(${JSON.stringify(tsxApiUrl())})`,
    `  .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
    '  .catch((error) => { setImmediate(() => { throw error; }); });',
  ].join('\n');
}

/**
 * A worker running the module at `url`; a .ts entry is loaded through tsx.
 * Inside compiled JavaScript (the packaged app's bundles in dist/electron)
 * the .ts file is not there: its compiled sibling `<name>.mjs` runs instead.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const compiled = new URL(url.href.replace(/\.ts$/, '.mjs'));
  if (!existsSync(url) && existsSync(compiled)) return new Worker(compiled, options);
  return new Worker(typescriptBootstrap(url), { ...options, eval: true });
}
