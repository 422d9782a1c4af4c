// Preview images handed to the window through the framesmith-preview://
// protocol instead of megabytes of base64 in React state: main keeps the
// last few PNGs in memory under random ids and the page loads them by URL.
import { randomBytes } from 'node:crypto';

export const PREVIEW_SCHEME = 'framesmith-preview';

export class PreviewCache {
  private readonly images = new Map<string, Buffer>();

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

  clear(): void {
    this.images.clear();
  }
}
