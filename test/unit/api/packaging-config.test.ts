// electron-builder.yml, checked as far as this machine allows (no Electron
// binary, no Windows or macOS): it validates against electron-builder's own
// JSON schema, every native binary of onnxruntime-node and sharp is unpacked
// from the asar, the bundled ffmpeg and models come from the folders the
// packaging script fills, and the entry files it names exist.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/shared-assets.ts';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const Ajv = require('ajv') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };

interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
  npmRebuild: boolean;
  extraMetadata?: { main?: string };
}

const config = yaml.load(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

function nativeFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(entry.name)) found.push(path.relative(repoRoot, full).split(path.sep).join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

describe('electron-builder.yml', () => {
  it("validates against electron-builder's configuration schema", () => {
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
    const valid = validate(config);
    expect(valid, JSON.stringify(validate.errors, null, 1)).toBe(true);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg on macOS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('unpacks every native binary of onnxruntime-node and sharp from the asar', () => {
    const natives = [
      ...nativeFiles(path.join(repoRoot, 'node_modules', 'onnxruntime-node')),
      ...nativeFiles(path.join(repoRoot, 'node_modules', 'sharp')),
      ...nativeFiles(path.join(repoRoot, 'node_modules', '@img')),
    ];
    expect(natives.some((file) => file.endsWith('onnxruntime_binding.node'))).toBe(true);
    expect(natives.some((file) => file.includes('@img/sharp-'))).toBe(true);
    const uncovered = natives.filter((file) => !config.asarUnpack.some((pattern) => path.matchesGlob(file, pattern)));
    expect(uncovered).toEqual([]);
  });

  it('bundles ffmpeg per platform and the default models from the folders the packaging script fills', async () => {
    const resources = Object.fromEntries(config.extraResources.map((entry) => [entry.to, entry.from]));
    expect(resources.ffmpeg).toBe('build/ffmpeg/${os}-${arch}');
    expect(resources.models).toBe('build/models');
    const script = readFileSync(path.join(repoRoot, 'scripts', 'package.mjs'), 'utf8');
    expect(script).toContain("path.join(root, 'build', 'ffmpeg', `${targetOs}-${arch}`)");
    expect(script).toContain("path.join(root, 'build', 'models')");
    const catalog = JSON.parse(readFileSync(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')) as { models: { file: string }[] };
    const bundled = [...script.matchAll(/'(onnx\/[^']+\.onnx)'/g)].map((match) => match[1]);
    expect(bundled.length).toBeGreaterThan(0);
    for (const file of bundled) expect(catalog.models.map((model) => model.file), file).toContain(file);
  });

  it('packs the files the app starts from', () => {
    // The checkout starts from package.json "main" (TypeScript through tsx);
    // the package starts from compiled JavaScript built by
    // scripts/build-electron.mjs (extraMetadata.main), with no sources.
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string };
    for (const file of [pkg.main, 'electron/engine-host-entry.mjs', 'electron/main.ts', 'electron/engine-host.ts', 'engine/index.ts', 'models/catalog.json']) {
      expect(existsSync(path.join(repoRoot, file)), file).toBe(true);
    }
    expect(config.extraMetadata?.main).toBe('dist/electron/main.mjs');
    const packagedFiles = [config.extraMetadata?.main ?? '', 'dist/electron/engine-host.mjs', 'dist/electron/onnx-worker.mjs', 'dist/electron/preload.cjs', 'models/catalog.json'];
    for (const file of packagedFiles) expect(config.files.some((pattern) => path.matchesGlob(file, pattern)), file).toBe(true);
    const build = readFileSync(path.join(repoRoot, 'scripts', 'build-electron.mjs'), 'utf8');
    for (const entry of ["'electron', 'main.ts'", "'electron', 'engine-host.ts'", "'engine', 'inference', 'onnx-worker.ts'"]) expect(build).toContain(entry);
    expect(config.files).toContain('!**/*.ts');
    expect(config.files).toContain('dist/renderer/**/*');
    expect(config.files).toContain('dist/electron/**/*');
    expect(config.npmRebuild).toBe(false);
  });
});
