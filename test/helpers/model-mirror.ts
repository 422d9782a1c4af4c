// A local mirror of the GitHub raw host for the model catalog's downloads:
// serves, at the path of each file's first URL source, the local file under
// the models root with the catalog's sha256 (found by size, then hash). A
// test points the store at it with a FROM=TO mirror rule. `holdNext()` keeps
// the next large transfer at half its bytes until `release()`, so a test can
// look at the progress of a download that is really under way.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './shared-assets.ts';

export const GITHUB_RAW = 'https://raw.githubusercontent.com/';

interface CatalogFile {
  name: string;
  sizeBytes?: number;
  sha256?: string;
  sources: { kind: string; url?: string }[];
}

export interface ModelMirror {
  /** Base URL, ending in "/": the TO of a `GITHUB_RAW=TO` mirror rule. */
  readonly url: string;
  /** The URL paths asked for, in order. */
  readonly requests: readonly string[];
  /** Stops the next transfer of over 1 MiB at half its bytes, until release(). */
  holdNext(): void;
  /** Lets a held transfer finish. */
  release(): void;
  close(): Promise<void>;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The catalog files of `ids`, each with a local copy; undefined when one has none (the caller skips). */
async function localCopies(ids: readonly string[], modelsRoot: string): Promise<Map<string, string> | undefined> {
  const catalog = JSON.parse(await readFile(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')) as { downloads: { id: string; files: CatalogFile[] }[] };
  const local = await filesUnder(modelsRoot);
  const sizes = new Map<string, number>();
  for (const file of local) sizes.set(file, (await stat(file)).size);
  const byUrlPath = new Map<string, string>();
  for (const id of ids) {
    const entry = catalog.downloads.find((download) => download.id === id);
    if (!entry) throw new Error(`The catalog has no download "${id}".`);
    for (const file of entry.files) {
      const source = file.sources.find((candidate) => candidate.kind === 'url' && candidate.url?.startsWith(GITHUB_RAW));
      if (!source?.url || !file.sha256) return undefined;
      let found: string | undefined;
      for (const candidate of local) {
        if (sizes.get(candidate) === file.sizeBytes && (await sha256Of(candidate)) === file.sha256) {
          found = candidate;
          break;
        }
      }
      if (!found) return undefined;
      byUrlPath.set(`/${source.url.slice(GITHUB_RAW.length)}`, found);
    }
  }
  return byUrlPath;
}

/** Starts the mirror for the downloads `ids`, or answers undefined when a file has no local copy. */
export async function startModelMirror(ids: readonly string[], modelsRoot: string): Promise<ModelMirror | undefined> {
  const files = await localCopies(ids, modelsRoot);
  if (!files) return undefined;
  const requests: string[] = [];
  let release: () => void = () => {};
  let released = Promise.resolve();
  let holding = false;

  async function send(response: ServerResponse, file: string): Promise<void> {
    const bytes = await readFile(file);
    response.writeHead(200, { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' });
    if (holding && bytes.length > 1024 * 1024) {
      holding = false;
      const half = Math.floor(bytes.length / 2);
      response.write(bytes.subarray(0, half));
      await released;
      response.end(bytes.subarray(half));
      return;
    }
    createReadStream(file).pipe(response);
  }

  const server: Server = createServer((request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://mirror').pathname;
    requests.push(urlPath);
    const file = files.get(urlPath);
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    send(response, file).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    holdNext() {
      holding = true;
      released = new Promise<void>((resolve) => { release = resolve; });
    },
    release: () => release(),
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
