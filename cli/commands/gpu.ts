// `framesmith gpu status|install cuda|remove cuda`: GPU acceleration a user
// switches on. The CUDA and TensorRT providers matching onnxruntime-node go
// into the per-user data folder (FRAMESMITH_DATA/gpu), never into the app;
// status says what the inference worker will load and what the machine
// still lacks (driver, CUDA 12 runtime, cuDNN, TensorRT).
import type { Command } from 'commander';
import { gpuStatus, installGpuProviders, isCancellation, removeGpuProviders, serializeError, type GpuStatus } from '../../engine/index.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { userGpuDir } from '../app-paths.ts';
import { collectMirror } from '../option-parsers.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { printError } from '../reporter.ts';

const gpuDir = userGpuDir;

function assertCuda(kind: string): void {
  if (kind !== 'cuda') throw new InvalidArgumentError(`Unknown GPU runtime "${kind}". Should be one of: cuda (CUDA and TensorRT providers for NVIDIA GPUs on Linux x64).`);
}

export function formatGpuStatus(status: GpuStatus): string {
  const lines = [`onnxruntime-node ${status.onnxruntimeVersion}`];
  const source = status.providerPackage;
  lines.push('id' in source ? `  CUDA/TensorRT providers come from NuGet ${source.id} ${source.version}` : `  ${source.unavailable}`);
  lines.push(`  the inference worker loads: ${status.runtime.source === 'gpu-install' ? 'the installed GPU copy' : 'the app\'s onnxruntime'} (${status.runtime.reason})`);
  if (status.damaged.length > 0) lines.push(`  damaged: ${status.damaged.join(', ')}: run framesmith gpu install cuda again`);
  lines.push(`  ${status.prerequisites.summary}`);
  for (const found of status.prerequisites.found) lines.push(`    found ${found.what}: ${found.file}`);
  return lines.join('\n');
}

async function guarded(json: boolean, setExitCode: (code: number) => void, body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    await body(controller.signal);
    setExitCode(EXIT_OK);
  } catch (error) {
    if (isCancellation(error)) {
      process.stderr.write('cancelled: nothing was installed.\n');
      setExitCode(EXIT_CANCELLED);
      return;
    }
    printError(serializeError(error), json);
    setExitCode(EXIT_FAILED);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerGpuCommand(program: Command, setExitCode: (code: number) => void): void {
  const gpu = program.command('gpu').description('GPU acceleration: install the CUDA/TensorRT execution providers into your data folder, and check what the machine needs.');

  gpu
    .command('status')
    .description('What the inference worker loads, what is installed, and what the machine lacks (driver, CUDA 12, cuDNN, TensorRT).')
    .option('--json', 'print JSON', false)
    .option('--verify', 'check every installed library against its recorded SHA-256', false)
    .action(async (flags: { json: boolean; verify: boolean }) => {
      await guarded(flags.json, setExitCode, async () => {
        const status = await gpuStatus(gpuDir(), { verify: flags.verify });
        process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatGpuStatus(status)}\n`);
      });
    });

  gpu
    .command('install')
    .argument('<runtime>', 'cuda (CUDA and TensorRT providers, Linux x64)')
    .description('Download the CUDA and TensorRT providers matching onnxruntime-node from NuGet, verify them by hash, and place them in your data folder.')
    .option('--mirror <from=to>', 'fetch URLs that start with FROM from TO instead (repeatable; the hash is verified as usual)', collectMirror)
    .option('--json', 'print JSON', false)
    .action(async (runtime: string, flags: { json: boolean; mirror?: { from: string; to: string }[] }) => {
      await guarded(flags.json, setExitCode, async (signal) => {
        assertCuda(runtime);
        const result = await installGpuProviders(gpuDir(), {
          mirror: flags.mirror,
          signal,
          onProgress: (progress) => {
            if (flags.json) return;
            const amount = progress.bytes === undefined ? '' : ` ${(progress.bytes / 1024 ** 2).toFixed(0)}${progress.totalBytes ? ` of ${(progress.totalBytes / 1024 ** 2).toFixed(0)}` : ''} MiB`;
            process.stderr.write(`${progress.stage}${amount}\n`);
          },
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ type: 'done', dir: result.dir, manifest: result.manifest, prerequisites: result.prerequisites })}\n`);
          return;
        }
        process.stdout.write(`Installed ${result.manifest.packageId} ${result.manifest.packageVersion} into ${result.dir}.\n${result.prerequisites.summary}\n`);
      });
    });

  gpu
    .command('remove')
    .argument('<runtime>', 'cuda')
    .description('Remove the installed CUDA/TensorRT providers from your data folder.')
    .action(async (runtime: string) => {
      await guarded(false, setExitCode, async () => {
        assertCuda(runtime);
        process.stdout.write((await removeGpuProviders(gpuDir())) ? 'Removed.\n' : 'Nothing was installed.\n');
      });
    });
}
