// `framesmith doctor`: which ffmpeg, which execution providers (and why not
// the others), which models, what CPU and memory.
import type { Command } from 'commander';
import { Engine, type DoctorReport, type ToolReport } from '../../engine/index.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function toolLine(report: ToolReport): string {
  if (report.found) {
    const { found } = report;
    const lines = [
      `  ${report.tool}: ${found.path} (version ${found.version}, release ${found.release}, from ${found.source})`,
      `    chosen because: ${found.reason}`,
    ];
    for (const skipped of found.skipped) lines.push(`    passed over: ${skipped}`);
    return lines.join('\n');
  }
  return `  ${report.tool}: NOT FOUND. ${report.error?.userMessage ?? ''}`;
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  lines.push('ffmpeg');
  lines.push(toolLine(report.ffmpeg), toolLine(report.ffprobe));
  lines.push(`  output codecs available: ${report.codecs.join(', ') || 'none'}`);
  lines.push('', `Execution providers (onnxruntime-node ${report.onnxruntimeVersion}, in order of preference)`);
  if (report.onnxRuntime) lines.push(`  loaded: ${report.onnxRuntime.source === 'gpu-install' ? 'the GPU install' : 'the app\'s onnxruntime'} (${report.onnxRuntime.reason})`);
  for (const attempt of report.providers) {
    lines.push(`  ${attempt.provider.padEnd(9)} ${attempt.skippedBecause ? `unavailable: ${attempt.skippedBecause}` : 'available'}`);
  }
  lines.push('', 'Model search path');
  for (const root of report.modelRoots) lines.push(`  ${root.exists ? '+' : '-'} ${root.path} (${root.source}${root.exists ? '' : ', missing'})`);
  lines.push('', `Models (${report.models.length} found, ${report.missingModels.length} not installed)`);
  for (const model of report.models) {
    lines.push(`  ${model.id.padEnd(26)} ${model.task.padEnd(17)} ${mib(model.sizeBytes).padStart(10)}  ${model.state}  ${model.path}`);
  }
  if (report.missingModels.length > 0) lines.push(`  not installed: ${report.missingModels.join(', ')}`);
  const { system } = report;
  lines.push('', 'System');
  lines.push(`  ${system.platform} ${system.arch}, ${system.cpuModel}, ${system.cores} cores`);
  lines.push(`  memory ${gib(system.memoryTotalBytes)} total, ${gib(system.memoryFreeBytes)} free; Node ${system.nodeVersion}`);
  return lines.join('\n');
}

export function registerDoctorCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('doctor')
    .description('Show what Framesmith found on this machine: ffmpeg, execution providers, models, CPU and memory.')
    .option('--json', 'print the report as JSON', false)
    .action(async (flags: { json: boolean }) => {
      const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
      try {
        const report = await engine.doctor();
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
        setExitCode(report.ffmpeg.found && report.ffprobe.found ? EXIT_OK : EXIT_FAILED);
      } finally {
        await engine.dispose();
      }
    });
}
