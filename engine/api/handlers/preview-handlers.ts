// preview:* — probing a file, rendering one frame before/after, and preview
// clips. These start ffprobe, ffmpeg and model runs, so they go through the
// bounded heavy-work queue; each takes the request's signal, so a cancelled
// request or a closed page stops its work. A finished clip's URL comes from
// the host (services.previews), not from here; so do image URLs where the
// host gives them.
import type { PreviewImage } from '../../../common/jobs.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import { processingFromSettings, type ApiServices } from '../api-services.ts';
import { probeForPreview, renderPreviewFrame } from '../frame-preview.ts';

type PreviewChannel = Extract<keyof ApiHandlers, `preview:${string}`>;

export function previewHandlers(services: Pick<ApiServices, 'engine' | 'settings' | 'clips' | 'heavyWork' | 'previews'>): Pick<ApiHandlers, PreviewChannel> {
  const { engine, heavyWork, previews } = services;
  const published = (image: PreviewImage): PreviewImage & { url?: string } => {
    const url = previews.image?.(image);
    return url === undefined ? image : { ...image, url };
  };
  return {
    'preview:renderFrame': async (request, { signal }) => {
      const processing = processingFromSettings(await services.settings.get(), request.processing);
      const pair = await heavyWork.run(() => renderPreviewFrame(engine, { ...request, processing }, signal), signal);
      return { ...pair, before: published(pair.before), after: published(pair.after) };
    },
    'preview:probe': async ({ path: file }, { signal }) => heavyWork.run(() => probeForPreview(engine, file, signal), signal),
    'preview:renderClip': async (request, { signal }) => {
      const processing = processingFromSettings(await services.settings.get(), request.processing);
      const clip = await heavyWork.run(() => services.clips.render({ ...request, processing }, signal), signal);
      return { ...clip, url: previews.clip(clip.clipId, clip.path) };
    },
    'preview:cancelClip': async ({ clipId }) => {
      services.clips.cancel(clipId);
      return null;
    },
  };
}
