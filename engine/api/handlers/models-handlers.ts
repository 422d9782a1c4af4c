// models:* — the model store: list, pull (one download per model at a time,
// its progress as events), delete, import files, and benchmark on this
// machine (the result feeds the job estimate's cost ledger). Trial runs and
// benchmarks run on the engine's inference runtime, as jobs do.
import path from 'node:path';
import type { ModelEvent, ModelListing } from '../../../common/api/api-types.ts';
import { InvalidArgumentError, ModelNotFoundError, serializeError } from '../../../common/errors.ts';
import { importModel } from '../../models/model-import.ts';
import type { ModelStoreEvent, StoreListing } from '../../models/model-store.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import { processingFromSettings, type ApiServices } from '../api-services.ts';
import type { CostLedger } from '../job-estimate.ts';

type ModelsChannel = Extract<keyof ApiHandlers, `models:${string}`>;

/** A store listing as the UI gets it, with the speed measured here when a benchmark ran (per megapixel). */
function toListing(entry: StoreListing, ledger: CostLedger): ModelListing {
  const msPerMegapixel = ledger.millisecondsFor(entry.id, 1000, 1000);
  return {
    id: entry.id,
    displayName: entry.displayName,
    task: entry.task,
    scale: entry.scale,
    description: entry.description,
    ...(msPerMegapixel !== undefined ? { msPerMegapixel } : {}),
    licence: entry.licence,
    sizeBytes: entry.sizeBytes,
    state: entry.state,
    ...(entry.path !== undefined ? { path: entry.path } : {}),
    ...(entry.recommended !== undefined ? { recommended: entry.recommended } : {}),
  };
}

function toModelEvent(event: ModelStoreEvent): ModelEvent | undefined {
  switch (event.phase) {
    case 'download':
      return { type: 'progress', id: event.id, phase: 'download', file: event.file, bytesDone: event.bytesDone, bytesTotal: event.bytesTotal };
    case 'verify':
      return { type: 'progress', id: event.id, phase: 'verify', file: event.file, bytesDone: null, bytesTotal: null };
    case 'convert':
    case 'check':
      return { type: 'progress', id: event.id, phase: event.phase, file: null, bytesDone: null, bytesTotal: null };
    case 'retry':
      return { type: 'retry', id: event.id, file: event.file, attempt: event.attempt, reason: event.reason };
    case 'source-failed':
      return undefined;
  }
}

export function modelsHandlers(services: Pick<ApiServices, 'store' | 'settings' | 'ledger' | 'emit'>): Pick<ApiHandlers, ModelsChannel> {
  const pulls = new Map<string, Promise<ModelListing>>();

  const listingOf = async (id: string): Promise<ModelListing> => {
    const listing = (await (await services.store()).list()).find((entry) => entry.id === id);
    if (!listing) throw new ModelNotFoundError(id, ['the model store']);
    return toListing(listing, services.ledger);
  };

  const pull = (id: string, signal: AbortSignal): Promise<ModelListing> => {
    const running = pulls.get(id);
    if (running) return running;
    const pulling = (async () => {
      try {
        await (await services.store()).ensure(id, {
          signal,
          onProgress: (event) => {
            const mapped = toModelEvent(event);
            if (mapped) services.emit('models', mapped);
          },
        });
        const model = await listingOf(id);
        services.emit('models', { type: 'done', id, model });
        return model;
      } catch (error) {
        services.emit('models', { type: 'failed', id, error: serializeError(error) });
        throw error;
      } finally {
        pulls.delete(id);
      }
    })();
    pulls.set(id, pulling);
    return pulling;
  };

  return {
    'models:list': async () => (await (await services.store()).list()).map((entry) => toListing(entry, services.ledger)),
    'models:pull': async ({ id }, { signal }) => pull(id, signal),
    'models:delete': async ({ id }) => {
      const removed = await (await services.store()).remove(id);
      if (!removed) throw new InvalidArgumentError(`Model "${id}" is not in the model store (bundled and shared models are not deleted from here).`);
      services.emit('models', { type: 'removed', id });
      return null;
    },
    'models:importFiles': async ({ paths, task, scale }, { signal }) => {
      const store = await services.store();
      const ids: string[] = [];
      for (const file of paths) {
        if (!path.isAbsolute(file)) throw new InvalidArgumentError(`Expected an absolute path to a model file, got "${file}".`);
        const model = await importModel(store, file, { task, scale, signal });
        ids.push(model.manifest.id);
      }
      const listings = await store.list();
      return ids.map((id) => listings.find((entry) => entry.id === id)).filter((entry) => entry !== undefined).map((entry) => toListing(entry, services.ledger));
    },
    'models:bench': async ({ id, width, height, runs }, { signal }) => {
      const { provider, threads } = processingFromSettings(await services.settings.get());
      const result = await (await services.store()).benchmark(id, {
        width,
        height,
        runs,
        provider: provider ?? 'auto',
        ...(threads !== undefined ? { threads } : {}),
        signal,
      });
      services.ledger.record(id, result.width, result.height, result.meanMs);
      return result;
    },
  };
}
