// The typed result of probing a media file with ffprobe.
import type { Rational } from '../../common/rational.ts';

export interface ColourInfo {
  primaries: string | null;
  transfer: string | null;
  matrix: string | null;
  range: 'tv' | 'pc' | null;
}

export interface VideoStreamInfo {
  index: number;
  codec: string;
  /** Coded size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Displayed size, after rotation (what the decoder delivers). */
  width: number;
  height: number;
  pixelFormat: string;
  bitDepth: number;
  hasAlpha: boolean;
  /** Average frame rate as an exact rational. */
  frameRate: Rational;
  /** True when frame durations vary (VFR); the decoder then emits at frameRate. */
  variableFrameRate: boolean;
  /** Exact frame count (counted by ffprobe when the container does not say). */
  frameCount: number;
  /** Degrees clockwise the player rotates the picture: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  colour: ColourInfo;
  timeBase: Rational;
  startTimeSeconds: number;
  /** A still image (png, jpeg...) rather than a moving video. */
  isImage: boolean;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  language: string | null;
}

export interface SubtitleStreamInfo {
  index: number;
  codec: string;
  language: string | null;
}

export interface AttachmentStreamInfo {
  index: number;
  codec: string;
  filename: string | null;
}

export interface ChapterInfo {
  startSeconds: number;
  endSeconds: number;
  title: string | null;
}

export interface MediaInfo {
  path: string;
  formatName: string;
  durationSeconds: number;
  sizeBytes: number;
  video: VideoStreamInfo;
  audio: AudioStreamInfo[];
  subtitles: SubtitleStreamInfo[];
  attachments: AttachmentStreamInfo[];
  chapters: ChapterInfo[];
  /** Container-level tags (title, ...). */
  tags: Record<string, string>;
}
