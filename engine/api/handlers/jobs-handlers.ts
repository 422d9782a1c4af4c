// jobs:* — the durable queue: add (with the settings' defaults filled in),
// list, control, reorder, thumbnails and the estimate before a job is added.
// Thumbnails and estimates start ffmpeg and ffprobe, so they go through the
// bounded heavy-work queue like previews.
import type { RequestOut, Settings } from '../../../common/api/contract.ts';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { jobSpecSchema, type JobSpecInput, type PreviewImage } from '../../../common/jobs.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import { processingFromSettings, type ApiServices } from '../api-services.ts';
import { estimateJob } from '../job-estimate.ts';
import { jobBatchRequest } from '../../jobs/job-request.ts';

type JobsChannel = Extract<keyof ApiHandlers, `jobs:${string}`>;

/** Fills what the spec leaves open from the settings: output folder and, for explicit chains, output defaults; processing preferences that are not 'auto'. */
export function applySettingsToSpec(spec: RequestOut<'jobs:enqueue'>, settings: Settings): JobSpecInput {
  const defaults = settings.outputDefaults;
  const processing = processingFromSettings(settings, spec.processing);
  const outputSettings = spec.steps === undefined
    ? spec.outputSettings
    : {
        codec: defaults.codec,
        audio: defaults.audio,
        ...(defaults.crf !== null ? { crf: defaults.crf } : {}),
        ...(defaults.pixelFormat !== null ? { pixelFormat: defaults.pixelFormat } : {}),
        ...spec.outputSettings,
      };
  const outputFolder = spec.outputFolder ?? (spec.outputPath === undefined && defaults.folder !== null ? defaults.folder : undefined);
  return {
    ...spec,
    ...(outputFolder !== undefined ? { outputFolder } : {}),
    ...(outputSettings !== undefined ? { outputSettings } : {}),
    ...(Object.keys(processing).length > 0 ? { processing } : {}),
  };
}

async function thumbnailOf(services: ApiServices, id: string, signal: AbortSignal): Promise<PreviewImage | null> {
  const job = services.queue.get(id);
  const input = job.items[0]?.input;
  return input === undefined ? null : services.heavyWork.run(() => services.thumbnails.get(job.id, input), signal);
}

export function jobsHandlers(services: ApiServices): Pick<ApiHandlers, JobsChannel> {
  const { queue, engine } = services;
  return {
    'jobs:enqueue': async (spec, { signal }) => {
      if (spec.renderOn === 'farm' && !(await services.farm.configured())) {
        throw new InvalidArgumentError('This job is to render on the farm, but no farm is set up. Enter its Redis URL and shared folder in Settings, or render on this machine.');
      }
      const job = await queue.add(applySettingsToSpec(spec, await services.settings.get()), { signal });
      // Made ahead for the job card; a busy queue just leaves it for the card's own request.
      void thumbnailOf(services, job.id, new AbortController().signal).catch(() => null);
      return job;
    },
    'jobs:thumbnail': async ({ id }, { signal }) => thumbnailOf(services, id, signal),
    'jobs:list': async () => queue.list(),
    'jobs:pause': async ({ id }) => {
      await queue.pause(id);
      return queue.get(id);
    },
    'jobs:resume': async ({ id }) => {
      await queue.resume(id);
      return queue.get(id);
    },
    'jobs:cancel': async ({ id }) => {
      await queue.cancel(id);
      return queue.get(id);
    },
    'jobs:retry': async ({ id }) => {
      await queue.retry(id);
      return queue.get(id);
    },
    'jobs:remove': async ({ id }) => {
      await queue.remove(id);
      return null;
    },
    'jobs:reorder': async ({ id, toIndex }) => {
      await queue.move(id, toIndex);
      return queue.list();
    },
    'jobs:estimate': async (spec, { signal }) => {
      const input = jobSpecSchema.parse(applySettingsToSpec(spec, await services.settings.get()));
      const preset = input.presetId !== undefined ? await services.presets.resolve(input.presetId) : undefined;
      // The queue's own mapping, so the estimate plans the batch the queue would add; an existing output is not the estimate's concern.
      const request = jobBatchRequest(input, preset);
      const plan = await engine.planBatch({ ...request, outputSettings: { ...(request.outputSettings as object), overwrite: true } }, { signal });
      return services.heavyWork.run(() => estimateJob(engine, plan, services.ledger, signal), signal);
    },
  };
}
