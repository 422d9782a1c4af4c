// Property tests: random and hostile values at every boundary a user or a
// page can reach, asserting that each is either accepted or refused with a
// typed, documented error code (common/errors.ts ERROR_CODES), never BUG and
// never an untyped exception. Fixed seeds and time budgets, so a run is
// repeatable and bounded: reproduce a failure with the seed and path that
// fast-check prints.
//
// Boundaries: the engine's job planning (what every CLI option and API job
// request becomes: steps, output and processing settings, output path and
// name template), every API request schema, preset files, and the temporary
// names made for output files.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, FramesmithError, InvalidArgumentError } from '../../../common/errors.ts';
import { methodsByChannel } from '../../../common/api/contract.ts';
import { validateRequest } from '../../../common/api/validate-request.ts';
import { applyNameTemplate } from '../../../common/output-naming.ts';
import { PRESET_MAX_FPS, PRESET_MODEL_ID, PresetFormatError, isWindowsReservedName, parsePreset, parsePresetJson, presetIdOf } from '../../../common/preset.ts';
import { parseRational } from '../../../common/rational.ts';
import { Engine } from '../../../engine/engine.ts';
import { MAX_FILE_NAME_BYTES, assertFileNameLength, isTemporaryName, temporarySibling } from '../../../engine/media/output-path.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';

const SEED = 20261207;
const budget = (numRuns: number, ms: number) => ({ seed: SEED, numRuns, interruptAfterTimeLimit: ms });

/** Refusals must be typed, with a documented code, and not a bug (a BugError is no FramesmithError). */
function expectTypedRefusal(error: unknown, context: unknown): void {
  if (!(error instanceof FramesmithError)) {
    throw new Error(`untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} for ${JSON.stringify(context)?.slice(0, 400)}`);
  }
  expect(ERROR_CODES).toContain(error.code);
  expect(error.userMessage.length).toBeGreaterThan(10);
}

/** Values people and pages send: edge numbers, path tricks, long and odd strings, wrong types. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', '.', '..', '../../x', '../', '/etc/passwd', 'C:\\Windows', '\\\\server\\share', 'con', 'NUL.txt', 'a\u0000b', '{name}', '{nmae}', '{name}/../{ext}', 'x'.repeat(300), '\u202e', '%00', '1e9', 'NaN', '-1', '60000/1001', '0/0', '1/0'),
);
const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, -1, 1e9, 1e308, Number.NaN, Infinity, -Infinity, 2 ** 53, 0.5));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}, { __proto__: { polluted: true } }, ['a'], { kind: 'upscale' }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Objects like `base` where each field is kept (weight `keep`) or replaced by a hostile value (weight 1), or left out. */
function near<T extends Record<string, unknown>>(base: T, keep = 2): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  return fc.record(Object.fromEntries(keys.map((key) => [key, fc.oneof({ weight: keep, arbitrary: fc.constant(base[key]) }, { weight: 1, arbitrary: hostileValue })])), { requiredKeys: [] });
}

const stepArbitrary = fc.oneof(
  near({ kind: 'upscale', model: 'realesr-animevideov3-x4', scale: 2, width: 64, height: 48, denoise: 0.5 }),
  near({ kind: 'interpolate', model: 'rife-v4.6', fps: '60', multiply: 2, slowmo: 2, sceneThreshold: 0.1, dedup: true }),
  near({ kind: 'stylize', style: 'candy', strength: 0.5, keepColors: true, styleSize: 256 }),
  hostileValue,
);

describe('property: hostile job requests (what CLI options and API job requests become)', () => {
  let work: string;
  let engine: Engine;
  let image: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-property-'));
    engine = await Engine.create({ cacheDir: path.join(work, 'cache') });
    image = await makeStillImage(work, 'png', { width: 8, height: 8 });
  });

  afterAll(async () => {
    await engine?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('planBatch accepts or refuses with a typed code', async () => {
    let accepted = 0;
    const outputName = fc.oneof(fc.constant(undefined), hostileString.filter((name) => !/[/\\]/.test(name) && name !== '.' && name !== '..' && !name.includes('\u0000')));
    await fc.assert(fc.asyncProperty(
      fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant({ kind: 'upscale' }) }, { weight: 2, arbitrary: stepArbitrary }), { maxLength: 3 }),
      near({ codec: 'h264', crf: 20, preset: 'medium', pixelFormat: 'yuv420p', container: 'mkv', audio: 'copy', overwrite: false }, 12),
      near({ provider: 'auto', tile: 'auto', threads: 2, precision: 'auto', maxMegapixels: 10 }, 12),
      outputName,
      fc.oneof(fc.constant(undefined), hostileString),
      async (steps, outputSettings, processing, output, nameTemplate) => {
        const request = { inputs: [image], steps, outputSettings, processing, output: output === undefined ? undefined : path.join(work, 'out', output), nameTemplate } as never;
        try {
          const plan = await engine.planBatch(request);
          accepted += 1;
          for (const item of plan.items) expect(Buffer.byteLength(path.basename(item.output))).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
        } catch (error) {
          expectTypedRefusal(error, request);
        }
      },
    ), budget(300, 25_000));
    // The arbitraries must reach past step validation often enough to test names and settings.
    expect(accepted).toBeGreaterThan(5);
  });
});

describe('property: API request schemas', () => {
  const channels = [...methodsByChannel.keys()];

  it('every channel validates or refuses with INVALID_ARGUMENT', () => {
    fc.assert(fc.property(fc.constantFrom(...channels), fc.oneof(hostileValue, fc.dictionary(hostileString, hostileValue, { maxKeys: 6 })), (channel, payload) => {
      try {
        validateRequest(channel, payload);
      } catch (error) {
        expectTypedRefusal(error, { channel, payload });
        expect((error as FramesmithError).code).toBe('INVALID_ARGUMENT');
      }
    }), budget(3000, 20_000));
  });

  it('an unknown channel is NOT_SUPPORTED', () => {
    fc.assert(fc.property(hostileValue.filter((channel) => typeof channel !== 'string' || !methodsByChannel.has(channel)), (channel) => {
      try {
        validateRequest(channel, {});
        throw new Error('accepted an unknown channel');
      } catch (error) {
        expectTypedRefusal(error, channel);
        expect((error as FramesmithError).code).toBe('NOT_SUPPORTED');
      }
    }), budget(500, 5_000));
  });
});

describe('property: preset files', () => {
  const presetArbitrary = near({
    format: 'framesmith-preset',
    version: 2,
    name: 'My preset',
    description: 'x',
    steps: [{ kind: 'upscale' }],
    output: { codec: 'h264' },
    processing: { provider: 'auto', tile: 'auto' },
  }).chain((base) => fc.record({ steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 3 }) }).map((extra) => (base.steps === undefined ? base : { ...base, ...extra })));

  it('a preset is parsed (and then holds what run needs) or refused with PresetFormatError', () => {
    fc.assert(fc.property(fc.oneof(presetArbitrary, hostileValue), (value) => {
      let preset;
      try {
        preset = parsePreset(value);
      } catch (error) {
        if (!(error instanceof PresetFormatError)) throw new Error(`untyped ${String(error)} for ${JSON.stringify(value)?.slice(0, 300)}`);
        return;
      }
      expect(isWindowsReservedName(preset.name)).toBe(false);
      expect(presetIdOf(preset.name)).toMatch(/^[a-z0-9-]+$/);
      for (const step of preset.steps) {
        if ('model' in step && step.model !== undefined) expect(step.model).toMatch(PRESET_MODEL_ID);
        if (step.kind === 'interpolate' && step.fps !== undefined) {
          const rate = parseRational(step.fps);
          expect(rate.num / rate.den).toBeGreaterThan(0);
          expect(rate.num / rate.den).toBeLessThanOrEqual(PRESET_MAX_FPS);
        }
      }
    }), budget(3000, 20_000));
  });

  it('preset text of any shape is parsed or refused with PresetFormatError', () => {
    fc.assert(fc.property(fc.oneof(fc.json({ maxDepth: 6 }), fc.string({ unit: 'binary', maxLength: 400 })), (text) => {
      try {
        parsePresetJson(text);
      } catch (error) {
        if (!(error instanceof PresetFormatError)) throw new Error(`untyped ${String(error)} for ${text.slice(0, 200)}`);
      }
    }), budget(2000, 10_000));
  });
});

describe('property: output names', () => {
  const fileName = fc.string({ unit: 'binary', minLength: 1, maxLength: 260 }).filter((name) => !/[/\\]/.test(name) && !name.includes('\u0000') && name !== '.' && name !== '..');

  it('temporary names are short, hidden, marked and in the same folder for any name', () => {
    fc.assert(fc.property(fileName, (name) => {
      const finalPath = path.join('/x/y', name);
      const temp = temporarySibling(finalPath);
      expect(path.dirname(temp)).toBe('/x/y');
      expect(Buffer.byteLength(path.basename(temp))).toBeLessThanOrEqual(64);
      expect(isTemporaryName(path.basename(temp))).toBe(true);
      let refused = false;
      try {
        assertFileNameLength(finalPath);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        refused = true;
      }
      expect(refused).toBe(Buffer.byteLength(name) > MAX_FILE_NAME_BYTES);
    }), budget(3000, 10_000));
  });

  it('a name template gives one plain file name or INVALID_ARGUMENT', () => {
    fc.assert(fc.property(hostileString, fc.string({ maxLength: 40 }), (template, stem) => {
      try {
        const name = applyNameTemplate(template, { name: stem.replace(/[/\\]/g, '_') || 'a', preset: 'upscaled-x4', ext: '.png' });
        expect(name).not.toMatch(/[/\\]/);
        expect(name.includes('\u0000')).toBe(false);
        expect(['', '.', '..']).not.toContain(name);
      } catch (error) {
        expectTypedRefusal(error, template);
      }
    }), budget(3000, 10_000));
  });
});
