// The manifest of a video item's finished segments, kept in the item's work
// folder (in the user's data folder, so it survives a reboot). A segment is
// listed only after its file is complete and fsynced, so after a crash every
// listed segment is whole and the next one starts at the sum of their frames.
// The fingerprint ties segments to one source and one set of output
// settings: anything else found in the folder is stale and is discarded.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fsyncFolder, readJsonFile, writeJsonDurably } from '../storage/durable-json.ts';
import { exists } from '../base/exists.ts';

export const MANIFEST_FILE = 'manifest.json';

const manifestSchema = z.object({
  version: z.literal(1),
  fingerprint: z.string(),
  segmentFrames: z.number().int().positive(),
  segments: z.array(z.object({ file: z.string().regex(/^[A-Za-z0-9._-]+$/), startFrame: z.number().int().min(0), frameCount: z.number().int().positive() })),
});
export type SegmentManifest = z.infer<typeof manifestSchema>;
export type SegmentEntry = SegmentManifest['segments'][number];

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The manifest in `workDir` when it matches `fingerprint` and its segments
 * are all present; otherwise the folder is emptied and a fresh manifest is
 * returned. Files not listed (a segment cut short by a kill) are removed.
 */
export async function openManifest(workDir: string, fingerprint: string, segmentFrames: number, options: { reset?: boolean } = {}): Promise<SegmentManifest> {
  await fs.mkdir(workDir, { recursive: true });
  const fresh: SegmentManifest = { version: 1, fingerprint, segmentFrames, segments: [] };
  const parsed = options.reset ? undefined : manifestSchema.safeParse(await readJsonFile(path.join(workDir, MANIFEST_FILE)).catch(() => undefined));
  let manifest = fresh;
  if (parsed?.success && parsed.data.fingerprint === fingerprint) {
    manifest = parsed.data;
    let expectedStart = 0;
    for (const segment of manifest.segments) {
      if (segment.startFrame !== expectedStart || !(await exists(path.join(workDir, segment.file)))) {
        manifest = fresh;
        break;
      }
      expectedStart += segment.frameCount;
    }
  }
  const keep = new Set([MANIFEST_FILE, ...manifest.segments.map((segment) => segment.file)]);
  for (const name of await fs.readdir(workDir)) {
    if (!keep.has(name)) await fs.rm(path.join(workDir, name), { recursive: true, force: true });
  }
  if (manifest === fresh) await writeJsonDurably(path.join(workDir, MANIFEST_FILE), fresh);
  return manifest;
}

export function framesInManifest(manifest: SegmentManifest): number {
  return manifest.segments.reduce((sum, segment) => sum + segment.frameCount, 0);
}

/** fsyncs a finished segment (a file, or a folder of PNGs) so the manifest never lists data still in cache. */
export async function syncSegment(file: string): Promise<void> {
  const stat = await fs.stat(file);
  if (stat.isDirectory()) {
    for (const name of await fs.readdir(file)) {
      const handle = await fs.open(path.join(file, name), 'r');
      await handle.sync().finally(() => handle.close());
    }
    await fsyncFolder(file);
  } else {
    const handle = await fs.open(file, 'r');
    await handle.sync().finally(() => handle.close());
  }
  await fsyncFolder(path.dirname(file));
}

/** Appends a finished segment to the manifest, durably. */
export async function recordSegment(workDir: string, manifest: SegmentManifest, segment: SegmentEntry): Promise<SegmentManifest> {
  const next = { ...manifest, segments: [...manifest.segments, segment] };
  await writeJsonDurably(path.join(workDir, MANIFEST_FILE), next);
  return next;
}
