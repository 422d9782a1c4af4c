// PyTorch checkpoints through the store, end to end in the real CLI:
// a torch.save zip of SRVGGNetCompact (written from the weights of the
// bundled realesr-animevideov3-x4 ONNX) imported with `models import`, then
// `upscale --model` gives the bundled model's pixels; and MicroAST's four
// real .pth.tar files installed by `models pull` through the store's PyTorch
// path, served from a local server on 127.0.0.1 that stands in for GitHub
// (--mirror), then `stylize --style-image -m microast` runs on the store's copy.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { srvggStateDictFromOnnx } from '../../helpers/onnx-state-dict.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { torchZip } from '../../unit/convert-pytorch/checkpoint-writer.ts';

const animevideo = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const microastDir = modelAsset('pytorch/microast');

let work: string;
let env: Record<string, string>;

async function testImage(file: string, width: number, height: number, phase: number): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < 3; c += 1) pixels[(y * width + x) * 3 + c] = Math.round(127.5 + 120 * Math.sin((x + phase) / (3 + c) + y / 5));
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

async function rawPixels(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'fs-pth-'));
  env = { FRAMESMITH_CACHE: path.join(work, 'cache'), FRAMESMITH_DATA: path.join(work, 'data') };
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('PyTorch import through the store', () => {
  it.skipIf(!animevideo)('models import of an SRVGGNetCompact .pth, then upscale --model equals the bundled model within 1/255', async () => {
    const { stateDict, layers } = await srvggStateDictFromOnnx(animevideo!);
    expect(layers).toBe(35);
    const checkpoint = path.join(work, 'anime_x4_net_g.pth');
    await writeFile(checkpoint, torchZip(stateDict, { wrapper: 'params_ema' }));
    const imported = await runCli(['models', 'import', checkpoint, '--id', 'my-srvgg-x4', '--json'], { env });
    expect(imported.code, describeRun(imported)).toBe(0);
    expect(JSON.parse(imported.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'imported', id: 'my-srvgg-x4', task: 'super-resolution', scale: 4 });

    const input = path.join(work, 'still.png');
    await testImage(input, 40, 30, 0);
    const ours = path.join(work, 'ours.png');
    const bundled = path.join(work, 'bundled.png');
    const first = await runCli(['upscale', input, '--model', 'my-srvgg-x4', '-o', ours], { env });
    expect(first.code, describeRun(first)).toBe(0);
    const second = await runCli(['upscale', input, '--model', 'realesr-animevideov3-x4', '-o', bundled], { env });
    expect(second.code, describeRun(second)).toBe(0);
    const a = await rawPixels(ours);
    const b = await rawPixels(bundled);
    expect([a.width, a.height]).toEqual([160, 120]);
    expect([b.width, b.height]).toEqual([160, 120]);
    let worst = 0;
    for (let i = 0; i < a.data.length; i += 1) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
    // The comparison can fail: the input itself, scaled up, is far from the model's output.
    const plain = await sharp(input).resize(160, 120, { kernel: 'nearest' }).raw().toBuffer();
    let far = 0;
    for (let i = 0; i < plain.length; i += 1) far = Math.max(far, Math.abs(plain[i]! - a.data[i]!));
    expect(far).toBeGreaterThan(8);

    const list = await runCli(['models', 'list', '--json'], { env });
    const entry = (JSON.parse(list.stdout) as { id: string; state: string; format: string }[]).find((model) => model.id === 'my-srvgg-x4');
    expect(entry).toMatchObject({ state: 'imported', format: 'pytorch' });
  });

  describe.skipIf(!microastDir)('MicroAST from a local mirror of its GitHub files', () => {
    let server: Server;
    let base: string;
    const asked: string[] = [];

    beforeAll(async () => {
      // Serves /EndyWon/MicroAST/<commit>/models/<file> from ../shared/models/pytorch/microast.
      server = createServer((request, response) => {
        asked.push(request.url ?? '');
        const match = /^\/EndyWon\/MicroAST\/[0-9a-f]{40}\/models\/([a-z_0-9]+\.pth\.tar)$/.exec(request.url ?? '');
        if (!match) {
          response.writeHead(404).end();
          return;
        }
        const file = path.join(microastDir!, match[1]!);
        stat(file).then(
          (info) => {
            response.writeHead(200, { 'content-length': String(info.size) });
            createReadStream(file).pipe(response);
          },
          () => response.writeHead(404).end(),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('models pull converts the four checkpoints into the store, and stylize --style-image -m microast uses it', async () => {
      const pull = await runCli(['models', 'pull', 'microast', '--no-bundled', '--mirror', `https://raw.githubusercontent.com/=${base}/`, '--json'], { env });
      expect(pull.code, describeRun(pull)).toBe(0);
      expect(asked.filter((url) => url.endsWith('.pth.tar'))).toHaveLength(4);
      const events = pull.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; phase?: string; format?: string; origin?: string; path?: string });
      expect(events.some((event) => event.phase === 'convert' && event.format === 'pytorch')).toBe(true);
      const done = events.find((event) => event.type === 'done')!;
      expect(done.origin).toBe('downloaded');
      expect(done.path).toBe(path.join(env.FRAMESMITH_CACHE!, 'models', 'installed', 'microast', 'microast.onnx'));

      const info = await runCli(['models', 'info', 'microast', '--json'], { env });
      expect(info.code, describeRun(info)).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ origin: 'store', path: done.path, licence: expect.stringMatching(/^MIT/) });

      const content = path.join(work, 'content.png');
      const style = path.join(work, 'style.png');
      await testImage(content, 48, 32, 0);
      await testImage(style, 40, 40, 9);
      const output = path.join(work, 'stylized.png');
      const run = await runCli(['stylize', content, '--style-image', style, '-m', 'microast', '-o', output], { env });
      expect(run.code, describeRun(run)).toBe(0);
      const result = await rawPixels(output);
      expect([result.width, result.height]).toEqual([48, 32]);
      const source = await rawPixels(content);
      let changed = 0;
      for (let i = 0; i < result.data.length; i += 1) changed = Math.max(changed, Math.abs(result.data[i]! - source.data[i]!));
      expect(changed).toBeGreaterThan(8);
    });
  });
});
