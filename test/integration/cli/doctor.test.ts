// `framesmith doctor`: what a user checks first when something does not run.
// The JSON report names ffmpeg and ffprobe with their versions, every
// execution provider (cpu available, a reason for each one that is not) and
// every catalog model whose file is in ../shared.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { repoRoot, sharedModelsDir } from '../../helpers/shared-assets.ts';
import { makeCliSandbox, type CliSandbox } from './media-checks.ts';

interface DoctorJson {
  ffmpeg: { found: { path: string; version: string } | null };
  ffprobe: { found: { path: string; version: string } | null };
  codecs: string[];
  providers: { provider: string; skippedBecause?: string }[];
  modelRoots: { path: string; exists: boolean }[];
  models: { id: string; path: string; task: string }[];
  missingModels: string[];
  system: { cores: number; memoryTotalBytes: number };
}

describe('framesmith doctor', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-doctor-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('--json lists ffmpeg, the providers with reasons, and the models found', async () => {
    const result = await runCli(['doctor', '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const report = JSON.parse(result.stdout) as DoctorJson;
    for (const tool of [report.ffmpeg, report.ffprobe]) {
      expect(tool.found?.path).toBeTruthy();
      expect(existsSync(tool.found?.path as string)).toBe(true);
      expect(tool.found?.version).toMatch(/\d/);
    }
    expect(report.codecs).toContain('ffv1');
    expect(report.codecs).toContain('png');
    const cpu = report.providers.find((attempt) => attempt.provider === 'cpu');
    expect(cpu).toBeDefined();
    expect(cpu?.skippedBecause).toBeUndefined();
    expect(report.providers.map((attempt) => attempt.provider).sort()).toEqual(['coreml', 'cpu', 'cuda', 'dml', 'tensorrt', 'webgpu']);
    for (const attempt of report.providers) {
      if (attempt.skippedBecause !== undefined) expect(attempt.skippedBecause.length, attempt.provider).toBeGreaterThan(10);
    }
    expect(report.system.cores).toBeGreaterThan(0);
    expect(report.system.memoryTotalBytes).toBeGreaterThan(0);

    const shared = sharedModelsDir();
    if (!shared) return;
    expect(report.modelRoots.some((root) => root.exists && path.resolve(root.path) === shared)).toBe(true);
    const catalog = JSON.parse(await readFile(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')) as { models: { id: string; file?: unknown }[] };
    const present = catalog.models.filter((entry) => typeof entry.file === 'string' && existsSync(path.join(shared, entry.file)));
    expect(present.map((entry) => entry.id)).toContain('realesr-animevideov3-x4');
    const found = new Map(report.models.map((entry) => [entry.id, entry.path]));
    for (const entry of present) {
      expect(found.get(entry.id), entry.id).toBe(path.join(shared, entry.file as string));
      expect(report.missingModels).not.toContain(entry.id);
    }
  });

  it('prints the same facts for a person without --json', async () => {
    const result = await runCli(['doctor'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/ffmpeg: \/\S+ \(version /);
    expect(result.stdout).toMatch(/^ {2}cpu\s+available$/m);
    expect(result.stdout).toMatch(/^ {2}dml\s+unavailable: .+/m);
    if (sharedModelsDir()) expect(result.stdout).toMatch(/realesr-animevideov3-x4\s+super-resolution/);
  });
});
