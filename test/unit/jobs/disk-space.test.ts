// The disk check with a simulated small disk (the free-space reading is injected).
import { describe, expect, it } from 'vitest';
import { estimateOutputBytes } from '../../../engine/jobs/disk-space.ts';
import { assertSpaceFor, freeBytesOf } from '../../../engine/storage/free-space.ts';
import { makeTempDir } from '../../helpers/media-fixtures.ts';

describe('disk space check', () => {
  it('fails early with DiskFullError naming the need and the free space', async () => {
    const temp = await makeTempDir();
    try {
      const bytes = estimateOutputBytes({ width: 3840, height: 2160, frameCount: 2400, codec: 'ffv1', carriedBytes: 0 });
      expect(bytes).toBeGreaterThan(10 * 1024 ** 3);
      const small = async (): Promise<number> => 200 * 1024 * 1024;
      const error = await assertSpaceFor([{ dir: temp.file('work'), bytes }, { dir: temp.path, bytes }], small).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'DISK_FULL' });
      expect((error as { detail: string }).detail).toMatch(/needs about [\d.]+ GB .* only 200 MB is free/);
      await expect(assertSpaceFor([{ dir: temp.path, bytes: 1024 }], small)).resolves.toBeUndefined();
      // Two folders on one filesystem add up.
      const justEnough = async (): Promise<number> => Math.ceil(100 * 1024 * 1024 * 1.1) + 64 * 1024 * 1024 + 1;
      await expect(assertSpaceFor([{ dir: temp.path, bytes: 100 * 1024 * 1024 }], justEnough)).resolves.toBeUndefined();
      await expect(assertSpaceFor([{ dir: temp.path, bytes: 50 * 1024 * 1024 }, { dir: temp.file('a/b'), bytes: 51 * 1024 * 1024 }], justEnough)).rejects.toMatchObject({ code: 'DISK_FULL' });
      expect(await freeBytesOf(temp.file('not/yet/made'))).toBeGreaterThan(0);
    } finally {
      await temp.dispose();
    }
  });
});
