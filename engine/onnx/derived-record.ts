// Integrity of files the engine derives from verified models (fp16 -> fp32
// conversions, split graphs). A derived file is trusted by its record, never
// by its existence: beside it (or them) a small JSON record names what it was
// made from (the source's sha256), by which tool version, and each file's own
// size and sha256. A cache hit re-hashes the files against the record; any
// difference (a damaged disk, another program, a planted file, a crash that
// left an old version) means "rebuild", never "load". Records are written
// last, after the files are in place, so a record under its final name
// describes whole files.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './onnx-file.ts';

export interface DerivedFileEntry {
  /** File name, in the record's folder. */
  name: string;
  sizeBytes: number;
  sha256: string;
}

export interface DerivedRecord {
  /** Which derivation and its version, e.g. "fp16-to-fp32 v1". */
  tool: string;
  madeFrom: { fileName: string; sha256: string };
  files: DerivedFileEntry[];
}

export async function sha256OfPath(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isRecord(value: unknown): value is DerivedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<DerivedRecord>;
  return typeof record.tool === 'string'
    && typeof record.madeFrom?.sha256 === 'string'
    && Array.isArray(record.files)
    && record.files.every((file) => typeof file?.name === 'string' && !file.name.includes('/') && !file.name.includes('\\')
      && typeof file.sha256 === 'string' && Number.isInteger(file.sizeBytes));
}

/**
 * True when the record at `recordPath` exists, was made by `tool` from a
 * source with `sourceSha256`, lists exactly `fileNames`, and every file has
 * its recorded size and hash. Anything unreadable counts as a mismatch.
 */
export async function derivedFilesIntact(recordPath: string, tool: string, sourceSha256: string, fileNames: readonly string[]): Promise<boolean> {
  let record: unknown;
  try {
    record = JSON.parse(await readFile(recordPath, 'utf8'));
  } catch {
    return false;
  }
  if (!isRecord(record) || record.tool !== tool || record.madeFrom.sha256 !== sourceSha256) return false;
  const names = record.files.map((file) => file.name);
  if (names.length !== fileNames.length || fileNames.some((name) => !names.includes(name))) return false;
  const folder = path.dirname(recordPath);
  for (const file of record.files) {
    const target = path.join(folder, file.name);
    try {
      if ((await stat(target)).size !== file.sizeBytes) return false;
      if ((await sha256OfPath(target)) !== file.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Writes the record of files already in place (call after they are written). */
export async function writeDerivedRecord(recordPath: string, tool: string, source: { fileName: string; sha256: string }, files: readonly { name: string; bytes: Uint8Array }[]): Promise<void> {
  const record: DerivedRecord = {
    tool,
    madeFrom: source,
    files: files.map((file) => ({ name: file.name, sizeBytes: file.bytes.byteLength, sha256: createHash('sha256').update(file.bytes).digest('hex') })),
  };
  await writeFileAtomic(recordPath, new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`));
}
