// Durability of the job store: a writer process is SIGKILLed at random
// moments, many times, in the middle of its writes; after each kill every
// record on disk must parse and every job it had reported written must be
// there (none lost), in a state it wrote.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JobStore } from '../../../engine/jobs/job-store.ts';
import { makeTempDir } from '../../helpers/media-fixtures.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

function runAndKill(dir: string, afterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/unit/jobs/fixtures/store-writer.ts', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      // Start the clock once the writer is really writing.
      timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.on('error', reject);
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      resolve(out.split('\n').filter((line) => line.length > 0));
    });
  });
}

describe('JobStore under SIGKILL', () => {
  it('loses no reported job and leaves no corrupt record across 12 kills', async () => {
    const temp = await makeTempDir();
    try {
      const committed: string[] = [];
      for (let round = 0; round < 12; round += 1) {
        committed.push(...(await runAndKill(temp.path, 20 + ((round * 37) % 150))));
        const store = await JobStore.open(temp.path);
        const { records, skipped } = await store.load();
        expect(skipped).toEqual([]);
        const ids = new Set(records.map((record) => record.id));
        for (const id of committed) expect(ids.has(id)).toBe(true);
        for (const record of records) expect(['queued', 'running']).toContain(record.state);
      }
      expect(committed.length).toBeGreaterThan(12);
    } finally {
      await temp.dispose();
    }
  }, 120_000);
});
