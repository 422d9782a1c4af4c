// What a person sees from `framesmith upscale`: plain lines (one every tenth
// of a video) when stderr is not a terminal (logs, CI), a progress bar on a
// terminal (run under util-linux `script`, which gives it a pseudo-terminal).
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry, describeRun, runCli, type CliResult } from '../../helpers/cli-runner.ts';
import { makeClip, makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { makeCliSandbox, type CliSandbox } from './media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasScript) process.stderr.write('\n*** SKIPPED: the terminal progress-bar test needs util-linux `script` ***\n');

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI on a pseudo-terminal; stdout carries what the terminal showed. */
function runOnTerminal(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const command = [process.execPath, cliEntry, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, ...env, COLUMNS: '100' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut: false });
    });
  });
}

describe.skipIf(!model)('framesmith upscale: human output', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-human-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('prints plain lines without escape codes when stderr is not a terminal, and sums up a batch', async () => {
    const folder = box.dir.file('in');
    await mkdir(folder);
    await makeStillImage(folder, 'png', { width: 24, height: 16 });
    await writeFile(`${folder}/broken.png`, 'not an image');
    await makeClip(folder, { name: 'clip.mp4', frames: 5, width: 48, height: 32 });
    const result = await runCli(['upscale', folder, '-o', box.dir.file('out')], { env: box.env });
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).toMatch(/^\[1\/3\] .*broken\.png$/m);
    expect(result.stderr).toMatch(/^ {2}error \(.*broken\.png\): .*Choose a media file\.$/m);
    expect(result.stderr).toMatch(/^\[2\/3\] .*clip\.mp4$/m);
    // A video reports every tenth it passes (the first frame of five is 20%).
    expect(result.stderr).toMatch(/^ {2}20% \(1\/5 frames, \d+\.\d fps, ETA \d+:\d\d\)$/m);
    expect(result.stderr).toMatch(/^ {2}done: .*clip-upscaled-x4\.mp4 \(5 frames in \d+\.\d s, cpu\)$/m);
    expect(result.stderr).toMatch(/^\[3\/3\] .*still-24x16\.png$/m);
    expect(result.stderr).toMatch(/^ {2}done: .*still-24x16-upscaled-x4\.png \(\d+\.\d s, cpu\)$/m);
    expect(result.stderr).toMatch(/^2 of 3 done, 1 failed\.$/m);
  });

  it.skipIf(!hasScript)('draws a progress bar with frames, fps and ETA on a terminal', async () => {
    const clip = await makeClip(box.dir.path, { name: 'clip.mp4', frames: 5, width: 48, height: 32 });
    const result = await runOnTerminal(['upscale', clip, '-o', box.dir.file('tty-out.mp4')], box.env);
    expect(result.code, describeRun(result)).toBe(0);
    const screen = result.stdout;
    expect(screen).toMatch(/\[1\/1\] .*clip\.mp4/);
    expect(screen).toMatch(/=+ 100% \| 5\/5 frames \| \d+\.\d fps \| ETA 0:00/);
    // No bar with a made-up total before the first frame.
    expect(screen).not.toMatch(/\d+\/1 frames/);
    expect(screen).toMatch(/done: .*tty-out\.mp4 \(5 frames in \d+\.\d s, cpu\)/);
  });
});
