import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ENGINE_LAYERS } from '../../../scripts/lint/engine-layers.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function lintAs(relativeFile: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, relativeFile) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'framesmith/engine-layers').map((m) => m.message);
}

describe('engine layer order (lint)', () => {
  it('fails an upward import and names both folders', async () => {
    const messages = await lintAs('engine/media/probe-extra.ts', "import type { BatchPlan } from '../jobs/batch.ts';\nexport type X = BatchPlan;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/engine\/media .* may not import engine\/jobs/);
  });

  it('allows a downward import and an import inside the same folder', async () => {
    expect(await lintAs('engine/jobs/extra.ts', "import type { RgbFrame } from '../media/frame.ts';\nimport type { BatchPlan } from './batch.ts';\nexport type X = [RgbFrame, BatchPlan];\n")).toEqual([]);
  });

  it('keeps the facade below the API and the door above everything', async () => {
    expect(await lintAs('engine/engine-extra.ts', "import { AppService } from './api/app-service.ts';\nexport const x = AppService;\n")).toHaveLength(1);
    expect(await lintAs('engine/api/extra.ts', "import type { Engine } from '../engine.ts';\nexport type X = Engine;\n")).toEqual([]);
  });

  it('gives every engine folder a rank, so a new folder cannot slip past the rule', () => {
    const folders = readdirSync(path.join(root, 'engine'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const folder of folders) expect(ENGINE_LAYERS, `engine/${folder}`).toContain(folder);
  });

  it('refuses an import from a folder that has no rank', async () => {
    const messages = await lintAs('engine/media/extra.ts', "import { x } from '../nowhere/x.ts';\nexport const y = x;\n");
    expect(messages[0]).toMatch(/no place in the engine's layer order/);
  });
});
