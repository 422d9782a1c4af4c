// Preview clips: the chain run on a few seconds of a video before the whole
// job is committed. The stretch is cut out losslessly (FFV1 + FLAC, input
// seeking decodes to the exact frame) with its audio, then runs through the
// engine's ordinary planBatch/processItem path, as frame-preview.ts does for
// one frame, so the clip shows what the job would make. The result is a VP9
// WebM with Opus audio: every Chromium plays it, proprietary codecs or not
// (Debian's Chromium has no H.264). Clips live in one cache folder under
// random caller-chosen ids; the newest few are kept, the folder is emptied
// on open and on dispose.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { PreviewClip } from '../../common/api/api-types.ts';
import type { previewClipRequestSchema } from '../../common/api/contract.ts';
import { CancelledError, InvalidArgumentError, throwIfCancelled } from '../../common/errors.ts';
import type { Engine } from '../engine.ts';
import { runToCompletion } from '../media/ffmpeg-process.ts';
import { probeMedia } from '../media/probe.ts';
import { probeForPreview } from './frame-preview.ts';

export type PreviewClipRequest = z.output<typeof previewClipRequestSchema>;
/** A finished clip as the engine knows it; the host adds the URL the page loads. */
export type RenderedClip = Omit<PreviewClip, 'url'>;

export const PREVIEW_CLIP_MIME = 'video/webm';
const CLIP_EXTENSION = '.webm';

export class PreviewClips {
  private readonly running = new Map<string, AbortController>();
  /** Finished clips, oldest first. */
  private readonly finished: string[] = [];
  private ready: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    /** Folder of the clips; emptied on first use and on dispose. */
    readonly dir: string,
    private readonly keep = 4,
  ) {}

  /** The file of a finished clip, or undefined (unknown, evicted, still rendering or a malformed id). */
  fileOf(clipId: string): string | undefined {
    return this.finished.includes(clipId) ? this.clipPath(clipId) : undefined;
  }

  /** Stops a clip that is rendering; its render() rejects with CancelledError. */
  cancel(clipId: string): void {
    this.running.get(clipId)?.abort(new CancelledError());
  }

  async render(request: PreviewClipRequest, signal: AbortSignal): Promise<RenderedClip> {
    if (this.running.has(request.clipId) || this.finished.includes(request.clipId)) {
      throw new InvalidArgumentError(`Preview clip id "${request.clipId}" is already in use; choose a fresh random id for each clip.`);
    }
    const controller = new AbortController();
    this.running.set(request.clipId, controller);
    const linked = AbortSignal.any([signal, controller.signal]);
    let work: string | undefined;
    try {
      await this.prepare();
      const probe = await probeForPreview(this.engine, request.input, linked);
      if (probe.kind !== 'video') throw new InvalidArgumentError(`${request.input} is an image; a preview clip needs a video (preview a single frame instead).`);
      if (request.startFrame >= probe.frameCount) {
        throw new InvalidArgumentError(`Frame ${request.startFrame} is past the end of ${request.input} (it has ${probe.frameCount} frames, 0 to ${probe.frameCount - 1}).`);
      }
      const fps = probe.frameRate > 0 ? probe.frameRate : 25;
      const frames = Math.max(1, Math.min(probe.frameCount - request.startFrame, Math.round(request.seconds * fps)));
      work = await mkdtemp(path.join(this.dir, '.work-'));
      const cut = path.join(work, 'source.mkv');
      const ffmpeg = this.engine.ffmpegTools().ffmpeg.path;
      await runToCompletion(
        ffmpeg,
        [
          '-hide_banner', '-nostdin', '-v', 'error',
          '-ss', (request.startFrame / fps).toFixed(6), '-i', request.input,
          '-map', '0:v:0', '-map', '0:a:0?', '-frames:v', String(frames), '-t', (frames / fps).toFixed(6),
          '-c:v', 'ffv1', '-c:a', 'flac', '-sn', '-dn', '-y', cut,
        ],
        `cutting frames ${request.startFrame} to ${request.startFrame + frames - 1} out of ${request.input}`,
        { signal: linked },
      );
      throwIfCancelled(linked);
      const output = path.join(work, `clip${CLIP_EXTENSION}`);
      const plan = await this.engine.planBatch(
        {
          inputs: [cut],
          output,
          steps: request.steps,
          outputSettings: { codec: 'vp9', preset: 'ultrafast', audio: 'copy', overwrite: true },
          processing: request.processing ?? {},
        },
        { signal: linked },
      );
      const item = plan.items[0];
      if (!item) throw new InvalidArgumentError(`Nothing to preview in ${request.input}.`);
      const result = await this.engine.processItem(item, { signal: linked });
      throwIfCancelled(linked);
      const target = this.clipPath(request.clipId);
      await rename(result.output, target);
      const info = await probeMedia(target, { ffprobe: this.engine.ffmpegTools().ffprobe.path, signal: linked });
      this.finished.push(request.clipId);
      await this.evict();
      return {
        clipId: request.clipId,
        path: target,
        mimeType: PREVIEW_CLIP_MIME,
        width: info.video.width,
        height: info.video.height,
        startFrame: request.startFrame,
        frames: result.framesWritten,
        durationSeconds: info.durationSeconds,
        sizeBytes: (await stat(target)).size,
      };
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof CancelledError)) throw new CancelledError({ cause: error });
      throw error;
    } finally {
      this.running.delete(request.clipId);
      if (work) await rm(work, { recursive: true, force: true });
    }
  }

  /** Cancels clips still rendering and removes every clip file. */
  async dispose(): Promise<void> {
    for (const id of [...this.running.keys()]) this.cancel(id);
    this.finished.length = 0;
    await rm(this.dir, { recursive: true, force: true });
  }

  private clipPath(clipId: string): string {
    return path.join(this.dir, `${clipId}${CLIP_EXTENSION}`);
  }

  /** Clears what an earlier process left, once. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      for (const name of await readdir(this.dir)) await rm(path.join(this.dir, name), { recursive: true, force: true });
    })();
    return this.ready;
  }

  private async evict(): Promise<void> {
    while (this.finished.length > this.keep) {
      const oldest = this.finished.shift();
      if (oldest !== undefined) await rm(this.clipPath(oldest), { force: true });
    }
  }
}
