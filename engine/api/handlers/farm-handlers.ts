// farm:* — the render farm of the settings: "Test connection" (the values
// being edited, or the saved ones) and the workers panel's status (workers
// with host, provider, speed and segment; unfinished farm jobs with their
// segments by state). The panel polls farm:status; each answer costs one
// short Redis connection and one read of the shared root's farm folder.
import type { FarmTestResult } from '../../../common/api/api-types.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import type { ApiServices } from '../api-services.ts';
import { unmaskRedisPassword } from '../redis-password-mask.ts';

type FarmChannel = Extract<keyof ApiHandlers, `farm:${string}`>;

export function farmHandlers({ farm, settings }: Pick<ApiServices, 'farm' | 'settings'>): Pick<ApiHandlers, FarmChannel> {
  return {
    'farm:test': async (request): Promise<FarmTestResult> => {
      const saved = (await settings.get()).farm;
      const redisUrl = request?.redisUrl !== undefined ? unmaskRedisPassword(request.redisUrl, saved.redisUrl) : saved.redisUrl;
      const sharedRoot = request?.sharedRoot ?? saved.sharedRoot;
      if (!redisUrl || !sharedRoot) return { ok: false, problem: 'not-configured', detail: null, workers: 0 };
      const probe = await farm.probe({ redisUrl, sharedRoot });
      return { ok: probe.problem === null, problem: probe.problem, detail: probe.detail, workers: probe.workers.length };
    },
    'farm:status': async () => farm.status(),
  };
}
