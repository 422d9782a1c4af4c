// A PyTorch zip bomb: a ~2 MB torch.save-shaped zip whose storage entry
// inflates to 2 GiB of zeros (the central directory says so). Reading it is
// refused from the directory before anything is inflated: in process the
// resident memory barely moves, and `models import` in the real CLI answers
// INVALID_ARGUMENT and leaves no folder in the store. Also: a tensor that
// claims more elements than its storage (an expanded view) is refused
// instead of being materialized.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointFormatError } from '../../../engine/convert/pytorch/pytorch-errors.ts';
import { readStateDict } from '../../../engine/convert/pytorch/state-dict.ts';
import { describeRun, errorCodes, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { PickleWriter } from '../../unit/convert-pytorch/checkpoint-writer.ts';

const BOMB_BYTES = 2 * 1024 ** 3;

/** `totalBytes` zeros deflated (raw) and their CRC-32, without holding them in memory. */
async function deflatedZeros(totalBytes: number): Promise<{ data: Buffer; crc: number }> {
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 1 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let written = 0; written < totalBytes; written += chunk.length) {
    const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - written));
    crc = zlib.crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { data: Buffer.concat(parts), crc };
}

/** torch.save's pickle of {"w": tensor} with one 1-D float tensor of `size` elements and `stride` over storage "0" of `storageElements`. */
function tensorPickle(size: number, stride: number, storageElements: number): Uint8Array {
  const w = new PickleWriter().proto(2);
  w.global('collections', 'OrderedDict').binPut(0).emptyTuple().reduce().mark();
  w.str('w').global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(storageElements);
  w.tuple().binPersId();
  w.int(0).intTuple([size]).intTuple([stride]).bool(false).binGet(0).emptyTuple().reduce();
  w.tuple().reduce();
  w.setItems();
  return w.stop().bytes();
}

interface ZipEntry { name: string; method: 0 | 8; data: Buffer; crc: number; size: number }

/** A plain zip (no zip64) of the entries, as torch.save lays them out. */
function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.method, 10);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function stored(name: string, data: Uint8Array): ZipEntry {
  const bytes = Buffer.from(data);
  return { name, method: 0, data: bytes, crc: zlib.crc32(bytes), size: bytes.length };
}

describe('PyTorch zip bombs and oversized tensors', () => {
  let work: string;
  let bomb: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-bomb-'));
    const pickle = tensorPickle(BOMB_BYTES / 4, 1, BOMB_BYTES / 4);
    const zeros = await deflatedZeros(BOMB_BYTES);
    bomb = path.join(work, 'bomb.pth');
    await writeFile(bomb, zip([
      stored('archive/data.pkl', pickle),
      stored('archive/byteorder', Buffer.from('little')),
      { name: 'archive/data/0', method: 8, data: zeros.data, crc: zeros.crc, size: BOMB_BYTES },
    ]));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('is refused from the zip directory without inflating it', async () => {
    const before = process.memoryUsage().rss;
    const error = await readStateDict(bomb).catch((caught: unknown) => caught);
    const grownMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as CheckpointFormatError).code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toMatch(/inflate .* to 2147483648/);
    expect(grownMiB).toBeLessThan(256);
  });

  it('models import in the real CLI answers INVALID_ARGUMENT and leaves no folder', async () => {
    const env = { FRAMESMITH_CACHE: path.join(work, 'cache'), FRAMESMITH_DATA: path.join(work, 'data'), TMPDIR: work };
    const result = await runCli(['models', 'import', bomb, '--id', 'bomb', '--json'], { env });
    expect(result.signal, describeRun(result)).toBeNull();
    expect(result.code, describeRun(result)).toBe(1);
    expect(errorCodes(parseJsonLines(result.stdout))).toEqual(['INVALID_ARGUMENT']);
    expect(existsSync(path.join(work, 'cache', 'models', 'installed', 'bomb'))).toBe(false);
  });

  it('a tensor with more elements than its storage is refused, not materialized', async () => {
    // A 1 GiB expanded view (stride 0) of a storage of 4 floats.
    const error = await readStateDict(zip([
      stored('archive/data.pkl', tensorPickle(2 ** 28, 0, 4)),
      stored('archive/data/0', Buffer.from(new Float32Array([1, 2, 3, 4]).buffer)),
    ])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as Error).message).toContain('expanded view');
  });
});
