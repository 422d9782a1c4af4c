// Planning a stylize step: style names and model ids, the style image check
// (missing, a folder, not an image) and output labels, all before any frame.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { stylizeStepSchema, type StylizeStep } from '../../../common/job-spec.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { styleModelId, stylizeStepBuilder } from '../../../engine/steps/stylize-step.ts';
import { styleImageProblem, styleImageSize } from '../../../engine/tasks/style-image.ts';

function step(fields: Record<string, unknown>): StylizeStep {
  return stylizeStepSchema.parse({ kind: 'stylize', ...fields });
}

describe('stylize step planning', () => {
  let catalog: Catalog;
  let dir: string;
  let png: string;
  beforeAll(async () => {
    catalog = await Catalog.load();
    dir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-style-unit-'));
    png = path.join(dir, 'style.png');
    await sharp({ create: { width: 40, height: 20, channels: 3, background: '#336699' } }).png().toFile(png);
    await writeFile(path.join(dir, 'notes.png'), 'not an image at all');
    await mkdir(path.join(dir, 'folder.png'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps a style name or its model id to the model, case-insensitively', () => {
    expect(styleModelId(step({ style: 'candy' }), 0, catalog)).toBe('style-candy');
    expect(styleModelId(step({ style: 'style-candy' }), 0, catalog)).toBe('style-candy');
    expect(styleModelId(step({ style: 'Rain-Princess' }), 0, catalog)).toBe('style-rain-princess');
    expect(styleModelId(step({ styleImage: png }), 0, catalog)).toBe('microast');
  });

  it('refuses an unknown style with the list of styles, naming the step', () => {
    expect(() => stylizeStepBuilder.validate(step({ style: 'vangogh' }), 1, catalog)).toThrow(InvalidArgumentError);
    expect(() => stylizeStepBuilder.validate(step({ style: 'vangogh' }), 1, catalog)).toThrow(/Step 2 \(stylize\): unknown style "vangogh"; choose one of candy, mosaic, pointilism, rain-princess, udnie/);
  });

  it('refuses a super-resolution model for a style image and a model that contradicts the style', () => {
    expect(() => stylizeStepBuilder.validate(step({ styleImage: png, model: 'realesr-animevideov3-x4' }), 0, catalog)).toThrow(/super-resolution model; choose a style-arbitrary model/);
    expect(() => stylizeStepBuilder.validate(step({ style: 'candy', model: 'style-udnie' }), 0, catalog)).toThrow(InvalidArgumentError);
  });

  it('refuses a missing style image, a folder and a file that is not an image', () => {
    expect(() => stylizeStepBuilder.validate(step({ styleImage: path.join(dir, 'absent.jpg') }), 0, catalog)).toThrow(/style image .*absent\.jpg does not exist/);
    expect(() => stylizeStepBuilder.validate(step({ styleImage: path.join(dir, 'folder.png') }), 0, catalog)).toThrow(/is not a file/);
    expect(() => stylizeStepBuilder.validate(step({ styleImage: path.join(dir, 'notes.png') }), 0, catalog)).toThrow(/is not an image/);
    expect(styleImageProblem(png)).toBeUndefined();
    expect(() => stylizeStepBuilder.validate(step({ styleImage: png }), 0, catalog)).not.toThrow();
  });

  it('needs exactly one of a style and a style image', () => {
    expect(stylizeStepSchema.safeParse({ kind: 'stylize' }).success).toBe(false);
    expect(stylizeStepSchema.safeParse({ kind: 'stylize', style: 'candy', styleImage: png }).success).toBe(false);
  });

  it('labels outputs by style name or style image name', () => {
    expect(stylizeStepBuilder.label(step({ style: 'style-candy' }), catalog)).toBe('stylized-candy');
    expect(stylizeStepBuilder.label(step({ styleImage: '/x/My Picasso.JPG' }), catalog)).toBe('stylized-my-picasso');
  });

  it('sizes the style image by its longest side, in multiples of 4', () => {
    expect(styleImageSize(1000, 500, 512)).toEqual({ width: 512, height: 256 });
    expect(styleImageSize(300, 641, 256)).toEqual({ width: 120, height: 256 });
    expect(styleImageSize(2000, 10, 64)).toEqual({ width: 64, height: 4 });
    expect(() => styleImageSize(10, 10, 2)).toThrow(InvalidArgumentError);
  });
});
