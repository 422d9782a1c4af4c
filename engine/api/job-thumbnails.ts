// A small still of each job's first input, so a queue card has a picture
// after a reload and before the job shows live previews. Made once (when the
// job is enqueued, or when first asked for a job added elsewhere, e.g. by the
// CLI) and kept as <dir>/<job id>.png beside the queue's records; removed
// with the job. A thumbnail that cannot be made (input gone, unreadable) is
// null, never an error: the card falls back to the file type.
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { mediaKindOf } from '../../common/output-naming.ts';
import type { PreviewImage } from '../../common/jobs.ts';
import type { Engine } from '../engine.ts';
import { runToCompletion } from '../media/ffmpeg-process.ts';

export const THUMBNAIL_SIZE = 160;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class JobThumbnails {
  private readonly making = new Map<string, Promise<PreviewImage | null>>();

  constructor(
    private readonly engine: Engine,
    /** Folder of the thumbnails (<dataDir>/job-thumbnails). */
    readonly dir: string,
  ) {}

  /** The job's thumbnail, made from `input` when there is none yet; null when it cannot be made. */
  async get(jobId: string, input: string): Promise<PreviewImage | null> {
    if (!ID_PATTERN.test(jobId)) return null;
    const stored = await this.read(jobId);
    if (stored) return stored;
    const running = this.making.get(jobId);
    if (running) return running;
    const making = this.make(jobId, input).finally(() => this.making.delete(jobId));
    this.making.set(jobId, making);
    return making;
  }

  async remove(jobId: string): Promise<void> {
    if (ID_PATTERN.test(jobId)) await rm(this.file(jobId), { force: true });
  }

  private file(jobId: string): string {
    return path.join(this.dir, `${jobId}.png`);
  }

  private async read(jobId: string): Promise<PreviewImage | null> {
    const bytes = await readFile(this.file(jobId)).catch(() => undefined);
    if (!bytes) return null;
    const meta = await sharp(bytes).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height) return null;
    return { width: meta.width, height: meta.height, pngBase64: bytes.toString('base64') };
  }

  private async make(jobId: string, input: string): Promise<PreviewImage | null> {
    await mkdir(this.dir, { recursive: true });
    const temporary = path.join(this.dir, `${jobId}.making.png`);
    try {
      if (mediaKindOf(input) === 'image') {
        await sharp(input).resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).png().toFile(temporary);
      } else {
        await runToCompletion(
          this.engine.ffmpegTools().ffmpeg.path,
          [
            '-hide_banner', '-nostdin', '-v', 'error', '-i', input, '-map', '0:v:0', '-frames:v', '1',
            '-vf', `scale=w='min(${THUMBNAIL_SIZE},iw)':h='min(${THUMBNAIL_SIZE},ih)':force_original_aspect_ratio=decrease`,
            '-f', 'image2', '-c:v', 'png', '-y', temporary,
          ],
          `making a thumbnail of ${input}`,
        );
      }
      await rename(temporary, this.file(jobId));
      return await this.read(jobId);
    } catch {
      await rm(temporary, { force: true });
      return null;
    }
  }
}
