// Preview images handed to the window through the framesmith-preview://
// protocol instead of megabytes of base64 in React state: main keeps the
// last few PNGs in memory under random ids and the page loads them by URL.
// Preview clips stay files in the engine's cache folder; only clips the
// engine reported are served, by id, never a path the page names.
import { randomBytes } from 'node:crypto';

export const PREVIEW_SCHEME = 'framesmith-preview';

export class PreviewCache {
  private readonly images = new Map<string, Buffer>();
  private readonly clips = new Map<string, string>();

  constructor(private readonly capacity = 24) {}

  /** Stores PNG bytes; returns the URL that serves them. */
  put(pngBase64: string): string {
    const id = randomBytes(12).toString('hex');
    this.images.set(id, Buffer.from(pngBase64, 'base64'));
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next().value;
      if (oldest === undefined) break;
      this.images.delete(oldest);
    }
    return `${PREVIEW_SCHEME}://image/${id}.png`;
  }

  /** The bytes behind a preview URL, or undefined (unknown, evicted or malformed). */
  get(url: string): Buffer | undefined {
    const match = /^framesmith-preview:\/\/image\/([0-9a-f]{24})\.png$/.exec(url);
    return match?.[1] ? this.images.get(match[1]) : undefined;
  }

  /** Remembers a finished clip's file; returns the URL that serves it. */
  putClip(clipId: string, file: string): string {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(clipId)) throw new RangeError(`"${clipId}" is not a clip id`);
    this.clips.delete(clipId);
    this.clips.set(clipId, file);
    while (this.clips.size > this.capacity) {
      const oldest = this.clips.keys().next().value;
      if (oldest === undefined) break;
      this.clips.delete(oldest);
    }
    return `${PREVIEW_SCHEME}://clip/${clipId}.webm`;
  }

  /** The file behind a clip URL, or undefined. */
  clipFile(url: string): string | undefined {
    const match = /^framesmith-preview:\/\/clip\/([A-Za-z0-9_-]{8,64})\.webm$/.exec(url);
    return match?.[1] ? this.clips.get(match[1]) : undefined;
  }

  clear(): void {
    this.images.clear();
    this.clips.clear();
  }
}
