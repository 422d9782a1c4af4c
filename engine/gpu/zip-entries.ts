// Extracts named entries from a zip file on disk (a .nupkg is a zip) without
// loading the archive into memory: the central directory is read from the
// end of the file, and each wanted entry is streamed through zlib's raw
// inflate into its target while its SHA-256 is taken. The provider libraries
// are hundreds of megabytes; nothing here holds more than a read buffer.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { DownloadFailedError } from '../../common/errors.ts';

interface CentralEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

function corrupt(file: string, why: string): DownloadFailedError {
  return new DownloadFailedError(`${file} (not a readable package: ${why})`);
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

async function centralDirectory(handle: fs.FileHandle, file: string): Promise<Map<string, CentralEntry>> {
  const { size } = await handle.stat();
  const tailLength = Math.min(size, 65_557);
  const tail = await readAt(handle, size - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw corrupt(file, 'no end of central directory');
  const count = tail.readUInt16LE(end + 10);
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (directoryOffset === 0xffffffff || count === 0xffff) throw corrupt(file, 'ZIP64 archives are not supported');
  const directory = await readAt(handle, directoryOffset, directorySize);
  const entries = new Map<string, CentralEntry>();
  let at = 0;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER) throw corrupt(file, 'a broken central directory');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    entries.set(name, {
      name,
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface ExtractedEntry {
  name: string;
  target: string;
  size: number;
  sha256: string;
}

/**
 * Writes each `[name, target]` entry of `zipFile` to its target. Throws
 * DownloadFailedError naming the entry when it is missing, uses an
 * unsupported compression, or does not inflate to its stated size.
 */
export async function extractZipEntries(zipFile: string, wanted: readonly (readonly [string, string])[], signal?: AbortSignal): Promise<ExtractedEntry[]> {
  const handle = await fs.open(zipFile, 'r');
  try {
    const entries = await centralDirectory(handle, zipFile);
    const extracted: ExtractedEntry[] = [];
    for (const [name, target] of wanted) {
      const entry = entries.get(name);
      if (!entry) throw corrupt(zipFile, `it has no ${name}`);
      if (entry.method !== 0 && entry.method !== 8) throw corrupt(zipFile, `${name} uses compression method ${entry.method}`);
      const local = await readAt(handle, entry.localHeaderOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_HEADER) throw corrupt(zipFile, `${name} has no local header`);
      const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      const source = createReadStream(zipFile, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
      const stages = entry.method === 8 ? [source, createInflateRaw(), meter] : [source, meter];
      await pipeline([...stages, createWriteStream(target)], { signal });
      if (size !== entry.size) throw corrupt(zipFile, `${name} inflated to ${size} bytes, not ${entry.size}`);
      extracted.push({ name, target, size, sha256: hash.digest('hex') });
    }
    return extracted;
  } finally {
    await handle.close();
  }
}
