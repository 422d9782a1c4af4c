// The keyframes of a video's stream, as frame numbers (frame k shows at
// startTime + k / rate, the grid the decoder's accurate seek uses). Read
// from ffprobe's packet list (flags "K"), which reads the container and
// decodes nothing. Bounded, because a hostile or huge file can list
// millions of packets: at most `maxPackets` lines and `timeoutMs`, after
// which the answer is "unknown" (undefined), never an error: keyframes only
// make a farm's cuts cheaper, never exact.
import { CancelledError } from '../../common/errors.ts';
import { startProcess } from './ffmpeg-process.ts';
import type { MediaInfo } from './media-info.ts';

export interface KeyframeProbeOptions {
  ffprobe: string;
  signal?: AbortSignal;
  /** Packets read before giving up (default 2,000,000: about 9 hours at 60 fps). */
  maxPackets?: number;
  /** Milliseconds before giving up (default 60 s). */
  timeoutMs?: number;
}

const DEFAULT_MAX_PACKETS = 2_000_000;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Longest line ffprobe writes for one packet ("123456.123456,K__"): a longer one is not its output. */
const MAX_LINE = 64;

/** Frame numbers of a constant-rate video's keyframes, ascending; undefined when unknown (variable rate, a still, limits hit, probe failed). */
export async function probeKeyframes(info: MediaInfo, options: KeyframeProbeOptions): Promise<number[] | undefined> {
  const video = info.video;
  if (video.isImage || video.variableFrameRate || video.frameRate.num <= 0) return undefined;
  const maxPackets = options.maxPackets ?? DEFAULT_MAX_PACKETS;
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => local.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const proc = startProcess(options.ffprobe, [
    '-v', 'error', '-select_streams', String(video.index), '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', info.path,
  ], { signal: local.signal });
  const frames = new Set<number>();
  let packets = 0;
  let partial = '';
  let refused = false;
  const seconds = video.frameRate.num / video.frameRate.den;
  const take = (line: string): void => {
    const [time, flags] = line.split(',');
    packets += 1;
    if (packets > maxPackets || line.length > MAX_LINE) {
      refused = true;
      proc.kill();
      return;
    }
    const pts = Number(time);
    if (flags?.startsWith('K') && time !== '' && Number.isFinite(pts)) {
      const frame = Math.round((pts - video.startTimeSeconds) * seconds);
      if (frame >= 0 && frame < video.frameCount) frames.add(frame);
    }
  };
  proc.child.stdout?.setEncoding('utf8');
  proc.child.stdout?.on('data', (chunk: string) => {
    if (refused) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > MAX_LINE) refused = true;
    for (const line of lines) if (!refused && line !== '') take(line.trim());
  });
  try {
    const exit = await proc.exited;
    if (options.signal?.aborted) throw new CancelledError();
    if (refused || local.signal.aborted || exit.code !== 0) return undefined;
    if (partial.trim() !== '') take(partial.trim());
    return refused ? undefined : [...frames].sort((a, b) => a - b);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
