// Before/after previews of one frame and the facts the preview timeline
// needs. A video frame is cut out with ffmpeg (input seeking, exact in
// ffmpeg >= 2.1 when decoding), then the chain runs on it as on a still image
// through the engine's ordinary planBatch/processItem path, so the preview
// shows exactly what a job would produce. Interpolation needs two frames, so
// it is left out of a single-frame preview.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { MediaProbe, PreviewPair } from '../../common/api/api-types.ts';
import type { z } from 'zod';
import type { previewRenderRequestSchema } from '../../common/api/contract.ts';
import { InvalidArgumentError, throwIfCancelled } from '../../common/errors.ts';
import type { PreviewImage } from '../../common/jobs.ts';
import { formatRational, toNumber } from '../../common/rational.ts';
import { mediaKindOf } from '../../common/output-naming.ts';
import type { Engine } from '../engine.ts';
import { runToCompletion } from '../media/ffmpeg-process.ts';
import { probeMedia } from '../media/probe.ts';

export type PreviewRequest = z.output<typeof previewRenderRequestSchema>;

const DEFAULT_PREVIEW_SIZE = 1024;

export async function probeForPreview(engine: Engine, file: string, signal?: AbortSignal): Promise<MediaProbe> {
  if (!path.isAbsolute(file)) throw new InvalidArgumentError(`Expected an absolute file path, got "${file}".`);
  const info = await probeMedia(file, { ffprobe: engine.ffmpegTools().ffprobe.path, signal });
  const image = info.video.isImage || mediaKindOf(file) === 'image';
  return {
    path: info.path,
    kind: image ? 'image' : 'video',
    width: info.video.width,
    height: info.video.height,
    frameCount: image ? 1 : info.video.frameCount,
    durationSeconds: image ? 0 : info.durationSeconds,
    frameRate: image ? 0 : toNumber(info.video.frameRate),
    frameRateText: image ? '0' : formatRational(info.video.frameRate),
    hasAudio: info.audio.length > 0,
  };
}

async function pngPreview(file: string, maxSize: number): Promise<PreviewImage> {
  const png = await sharp(file).resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true }).png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true });
  return { width: png.info.width, height: png.info.height, pngBase64: png.data.toString('base64') };
}

export async function renderPreviewFrame(engine: Engine, request: PreviewRequest, signal: AbortSignal): Promise<PreviewPair> {
  const probe = await probeForPreview(engine, request.input, signal);
  if (request.frameIndex >= probe.frameCount) {
    throw new InvalidArgumentError(`Frame ${request.frameIndex} is past the end of ${request.input} (it has ${probe.frameCount} frames, 0 to ${probe.frameCount - 1}).`);
  }
  const steps = request.steps.filter((step) => step.kind !== 'interpolate');
  const work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-preview-'));
  try {
    let source = request.input;
    if (probe.kind === 'video') {
      source = path.join(work, 'before.png');
      const seconds = probe.frameRate > 0 ? request.frameIndex / probe.frameRate : 0;
      await runToCompletion(
        engine.ffmpegTools().ffmpeg.path,
        ['-hide_banner', '-nostdin', '-v', 'error', '-ss', seconds.toFixed(6), '-i', request.input, '-frames:v', '1', '-an', '-sn', '-y', source],
        `cutting frame ${request.frameIndex} out of ${request.input}`,
        { signal },
      );
    }
    throwIfCancelled(signal);
    const maxSize = request.maxSize ?? DEFAULT_PREVIEW_SIZE;
    const before = await pngPreview(source, maxSize);
    if (steps.length === 0) return { before, after: before, frameIndex: request.frameIndex };
    const output = path.join(work, 'after.png');
    const plan = await engine.planBatch(
      { inputs: [source], output, steps, outputSettings: { codec: 'png', overwrite: true }, processing: request.processing },
      { signal },
    );
    const item = plan.items[0];
    if (!item) throw new InvalidArgumentError(`Nothing to preview in ${request.input}.`);
    await engine.processItem(item, { signal });
    return { before, after: await pngPreview(output, maxSize), frameIndex: request.frameIndex };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
