// Numbers for people: sizes, durations, rates. Pure functions of their inputs.

export function formatDuration(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function folderOf(path: string): string {
  const index = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return index <= 0 ? path.slice(0, index + 1) : path.slice(0, index);
}

export function pngDataUrl(pngBase64: string): string {
  return `data:image/png;base64,${pngBase64}`;
}

/**
 * A frame as people count it: the slider's 0-based index shown 1-based,
 * against the number of frames (not the last index). The one place for it,
 * so no label reads "Frame 5 of 19" on a 20-frame clip.
 */
export function frameOrdinal(frameIndex: number, frameCount: number): { number: number; count: number } {
  const count = Math.max(1, Math.floor(frameCount));
  return { number: Math.min(count, frameNumber(frameIndex)), count };
}

/** The 1-based number people read for a 0-based frame index. */
export function frameNumber(frameIndex: number): number {
  return Math.max(0, Math.floor(frameIndex)) + 1;
}
