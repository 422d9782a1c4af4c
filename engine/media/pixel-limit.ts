// The largest picture a job accepts, checked from the file's header before
// any pixel is decoded. Decoding is cheap to ask for and expensive to give:
// a 0.75 MB PNG can declare 16000x16000 pixels (768 MB as RGB, gigabytes as
// the float tensors and outputs that follow). The limit is a processing
// setting (`maxMegapixels`, CLI --max-megapixels) so a user with the memory
// can raise it; the default covers the largest common camera sensors
// (100 MP medium format) and keeps a x4 upscale's output within a few GB.
import { InvalidArgumentError } from '../../common/errors.ts';
import { DEFAULT_MAX_MEGAPIXELS } from '../../common/job-spec.ts';

/** The limit in pixels for a setting in megapixels (default when undefined). */
export function pixelLimit(maxMegapixels: number | undefined): number {
  return Math.floor((maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS) * 1_000_000);
}

/** Throws INVALID_ARGUMENT naming the limit and the setting that raises it when width x height is above it. */
export function assertWithinPixelLimit(file: string, width: number, height: number, maxMegapixels: number | undefined): void {
  const limit = pixelLimit(maxMegapixels);
  if (width * height <= limit) return;
  const megapixels = (width * height) / 1_000_000;
  throw new InvalidArgumentError(
    `${file} is ${width}x${height} pixels (${megapixels.toFixed(1)} megapixels), above the limit of ${limit / 1_000_000} megapixels. `
    + 'Scale it down first, or raise the pixel limit if this machine has the memory.',
    { hint: { field: 'processing.maxMegapixels', action: 'raise-pixel-limit' } },
  );
}
