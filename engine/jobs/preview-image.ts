// A small PNG of a frame for the UI's before/after preview. Frames are
// reduced to 8 bits and scaled down (longest side `maxSide`) with sharp;
// the caller throttles (at most one pair a second).
import sharp from 'sharp';
import type { PreviewImage } from '../../common/jobs.ts';
import type { RgbFrame } from '../media/frame.ts';

function eightBit(frame: RgbFrame): Uint8Array {
  if (frame.bitDepth === 8) return frame.data as Uint8Array;
  const out = new Uint8Array(frame.data.length);
  for (let i = 0; i < frame.data.length; i += 1) out[i] = (frame.data[i] ?? 0) >> 8;
  return out;
}

export async function previewImage(frame: RgbFrame, maxSide = 320): Promise<PreviewImage> {
  const scale = Math.min(1, maxSide / Math.max(frame.width, frame.height));
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const png = await sharp(eightBit(frame), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .png({ compressionLevel: 3 })
    .toBuffer();
  return { width, height, pngBase64: png.toString('base64') };
}
