// The engine's one public door: the CLI and the Electron engine host import
// from here and nowhere else in engine/.
export { Engine } from './engine.ts';
export type { BatchPlan, BatchRequest, EngineOptions, ImagePairRequest, ItemHandlers, ItemResult, PlannedItem } from './engine.ts';
export type { DoctorReport, ToolReport } from './doctor.ts';
export type { InputItem } from './jobs/expand-inputs.ts';
export type { InstalledModel } from './models/model-resolver.ts';
export type { ProviderAttempt, ProviderName } from './inference/inference-backend.ts';
export { OUTPUT_CODECS, PRECISIONS, PROVIDER_PREFERENCES } from '../common/job-spec.ts';
export type { OutputSettings, ProcessingSettings, Step, UpscaleStep } from '../common/job-spec.ts';
export type { Progress } from '../common/progress.ts';
export { isCancellation, isFramesmithError, serializeError } from '../common/errors.ts';
export type { ErrorCode, SerializedError } from '../common/errors.ts';
export type { EnsuredModel, ModelStore, ModelStoreEvent, SourcePreference, StoreListing } from './models/model-store.ts';
export { importModel } from './models/model-import.ts';
export type { ImportOptions } from './models/model-import.ts';
export type { ModelInfo } from './models/model-info.ts';
export type { BenchmarkResult } from './models/model-trial-run.ts';
export { MODEL_TASKS } from '../common/model-manifest.ts';
export type { ModelTask } from '../common/model-manifest.ts';
export { AppService } from './api/app-service.ts';
export type { AppServiceOptions } from './api/app-service.ts';
export { ApiDispatcher } from './api/api-dispatcher.ts';
export type { ApiHandler, ApiHandlers, HandlerContext } from './api/api-dispatcher.ts';
export { JobQueue } from './jobs/job-queue.ts';
export type { JobExecutor, JobListener, JobQueueOptions, ResolvedPreset } from './jobs/job-queue.ts';
export { PresetStore } from './presets/preset-store.ts';
export type { PresetEntry } from './presets/preset-store.ts';
export { STYLE_IMAGE_PLACEHOLDER } from './presets/built-in-presets.ts';
