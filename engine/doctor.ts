// `framesmith doctor`: what this machine offers, gathered in one report so
// the CLI and the UI show the same facts (which ffmpeg and why, which
// execution providers and why not the others, which models were found).
import { createRequire } from 'node:module';
import os from 'node:os';
import type { SystemInfo } from '../common/api/api-types.ts';
import { serializeError, type SerializedError } from '../common/errors.ts';
import type { InferenceBackend, ProviderAttempt } from './inference/inference-backend.ts';
import { EncoderCatalog, type VideoCodec } from './media/codecs.ts';
import { formatRelease, parseFfmpegVersion } from './media/ffmpeg-capabilities.ts';
import { runToCompletion } from './media/ffmpeg-process.ts';
import { locateTool, type FfmpegLocatorOptions, type FfmpegTool, type LocatedTool } from './media/ffmpeg-locator.ts';
import type { InstalledModel, ModelResolver } from './models/model-resolver.ts';
import type { ModelSearchRoot } from './models/model-search-path.ts';

export interface ToolReport {
  tool: FfmpegTool;
  /** Where it is, where from and why (LocatedTool), its version text and the release that is (e.g. "4.1" for a 2018 git build). */
  found: (LocatedTool & { version: string; release: string }) | null;
  error: SerializedError | null;
}

export interface DoctorReport {
  ffmpeg: ToolReport;
  ffprobe: ToolReport;
  /** Output codecs the ffmpeg at hand can write. */
  codecs: VideoCodec[];
  providers: ProviderAttempt[];
  onnxruntimeVersion: string;
  /** Which onnxruntime-node the inference worker loads (the app's, or the GPU install in the data folder) and why. */
  onnxRuntime: { source: string; reason: string } | null;
  modelRoots: ModelSearchRoot[];
  models: InstalledModel[];
  /** Catalog ids with no file in any root. */
  missingModels: string[];
  system: SystemInfo;
}

export interface DoctorOptions {
  ffmpeg?: FfmpegLocatorOptions;
  backend: InferenceBackend;
  /** The backend's choice of onnxruntime-node, where it makes one. */
  onnxRuntime?: { source: string; reason: string };
  models: ModelResolver;
  signal?: AbortSignal;
}

async function toolReport(tool: FfmpegTool, options: DoctorOptions): Promise<ToolReport> {
  try {
    const found = locateTool(tool, options.ffmpeg);
    const { stdout } = await runToCompletion(found.path, ['-hide_banner', '-version'], `asking ${tool} for its version`, { signal: options.signal });
    const version = parseFfmpegVersion(stdout);
    return { tool, found: { ...found, version: version.text, release: formatRelease(version.release) }, error: null };
  } catch (error) {
    return { tool, found: null, error: serializeError(error) };
  }
}

function onnxruntimeVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}

export async function collectDoctorReport(options: DoctorOptions): Promise<DoctorReport> {
  const [ffmpeg, ffprobe, providers, models] = await Promise.all([
    toolReport('ffmpeg', options),
    toolReport('ffprobe', options),
    options.backend.availableProviders(),
    options.models.listInstalled({ signal: options.signal }),
  ]);
  const codecs = ffmpeg.found ? await new EncoderCatalog(ffmpeg.found.path).availableCodecs(options.signal) : [];
  const installed = new Set(models.map((model) => model.id));
  const cpus = os.cpus();
  return {
    ffmpeg,
    ffprobe,
    codecs,
    providers,
    onnxruntimeVersion: onnxruntimeVersion(),
    onnxRuntime: options.onnxRuntime ? { source: options.onnxRuntime.source, reason: options.onnxRuntime.reason } : null,
    modelRoots: [...options.models.roots],
    models,
    missingModels: options.models.catalog.ids().filter((id) => !installed.has(id)),
    system: {
      platform: process.platform,
      arch: process.arch,
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryTotalBytes: os.totalmem(),
      memoryFreeBytes: os.freemem(),
      nodeVersion: process.version,
    },
  };
}
