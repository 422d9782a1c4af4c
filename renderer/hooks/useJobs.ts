// The queue as the UI sees it: the list from jobs.list, kept current by job
// events (state snapshots, progress, previews, removals). Subscribes before
// listing so no event between the two is lost; an event that arrived before
// the list answered is the newer word on its job. Each job's stored
// thumbnail (jobs.thumbnail) is fetched once, so cards have a picture after a
// reload; a live preview event, when one comes, replaces it.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { JobSnapshot, PreviewImage } from '../../common/jobs.ts';
import { unwrap, messageOf } from '../api/api-error.ts';
import { useApi } from '../api/ApiContext.tsx';

export interface JobThumbnail {
  /** The latest output frame, or the stored still of the input before any preview came. */
  after: PreviewImage;
  live: boolean;
}

export interface JobsState {
  jobs: JobSnapshot[];
  thumbnails: Record<string, JobThumbnail>;
  error: string | null;
  loading: boolean;
}

const STATE_ORDER: Record<JobSnapshot['state'], number> = {
  running: 0, paused: 1, interrupted: 2, queued: 3, failed: 4, cancelled: 5, completed: 6,
};

export function sortJobs(jobs: Iterable<JobSnapshot>): JobSnapshot[] {
  return [...jobs].sort((a, b) =>
    STATE_ORDER[a.state] - STATE_ORDER[b.state]
    || (a.position ?? 0) - (b.position ?? 0)
    || (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt));
}

export function useJobs(): JobsState {
  const api = useApi();
  const [byId, setById] = useState<Map<string, JobSnapshot>>(new Map());
  const [thumbnails, setThumbnails] = useState<Record<string, JobThumbnail>>({});
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    const unsubscribe = api.jobs.onEvent((event) => {
      if (event.type === 'state') {
        setById((current) => new Map(current).set(event.job.id, event.job));
      } else if (event.type === 'removed') {
        setById((current) => {
          const next = new Map(current);
          next.delete(event.jobId);
          return next;
        });
      } else if (event.type === 'progress') {
        setById((current) => {
          const job = current.get(event.jobId);
          return job ? new Map(current).set(job.id, { ...job, progress: event.progress }) : current;
        });
      } else if (event.type === 'preview') {
        setThumbnails((current) => ({ ...current, [event.jobId]: { after: event.after, live: true } }));
      }
    });
    unwrap(api.jobs.list()).then(
      (list) => {
        if (!live) return;
        setById((current) => {
          const next = new Map(list.map((job) => [job.id as string, job]));
          for (const [id, job] of current) next.set(id, job);
          return next;
        });
        setLoading(false);
      },
      (failure: unknown) => {
        if (!live) return;
        setError(messageOf(failure));
        setLoading(false);
      },
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api]);

  const asked = useRef(new Set<string>());
  useEffect(() => {
    for (const id of byId.keys()) {
      if (asked.current.has(id)) continue;
      asked.current.add(id);
      void api.jobs.thumbnail({ id }).then((result) => {
        const image = result.ok ? result.value : null;
        if (image) setThumbnails((current) => (current[id] ? current : { ...current, [id]: { after: image, live: false } }));
      });
    }
  }, [api, byId]);

  const jobs = useMemo(() => sortJobs(byId.values()), [byId]);
  return { jobs, thumbnails, error, loading };
}
