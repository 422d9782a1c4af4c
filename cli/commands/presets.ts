// `framesmith presets list|show|import|export|delete|duplicate`: saved chains
// with their output and processing settings. Built-ins can be duplicated,
// not changed; an imported file is validated in full and a refused one
// changes nothing.
import type { Command } from 'commander';
import { PresetStore, serializeError } from '../../engine/index.ts';
import { userDataDir } from '../app-paths.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { cliErrorText } from '../error-text.ts';

export function registerPresetsCommand(program: Command, setExitCode: (code: number) => void): void {
  const presets = program.command('presets').description('List, show, import, export, duplicate or delete presets');
  const run = (fn: (store: PresetStore) => Promise<void>) => async (): Promise<void> => {
    try {
      await fn(await PresetStore.open(userDataDir()));
      setExitCode(EXIT_OK);
    } catch (error) {
      const serialized = serializeError(error);
      process.stderr.write(`framesmith presets: ${cliErrorText(serialized)}\n`);
      setExitCode(serialized.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILED);
    }
  };
  presets
    .command('list', { isDefault: true })
    .option('--json', 'print JSON', false)
    .action((flags: { json: boolean }) => run(async (store) => {
      const { presets: entries, problems } = await store.list();
      if (flags.json) process.stdout.write(`${JSON.stringify(entries)}\n`);
      else for (const entry of entries) process.stdout.write(`${entry.preset.name}${entry.builtIn ? ' (built-in)' : ''}  ${entry.preset.steps.map((step) => step.kind).join(' + ')}  ${entry.preset.description ?? ''}\n`);
      for (const problem of problems) process.stderr.write(`warning: unreadable preset ${problem}\n`);
    })());
  presets
    .command('show <name>')
    .action((name: string) => run(async (store) => {
      const entry = await store.get(name);
      process.stdout.write(`${JSON.stringify(entry.preset, null, 2)}\n`);
    })());
  presets
    .command('import <file>')
    .option('--replace', 'replace a user preset of the same name', false)
    .action((file: string, flags: { replace: boolean }) => run(async (store) => {
      const entry = await store.importFile(file, { replace: flags.replace });
      process.stdout.write(`Imported preset ${entry.preset.name}.\n`);
    })());
  presets
    .command('export <name> <file>')
    .option('--overwrite', 'replace an existing file', false)
    .action((name: string, file: string, flags: { overwrite: boolean }) => run(async (store) => {
      await store.exportFile(name, file, { overwrite: flags.overwrite });
      process.stdout.write(`Exported preset ${name} to ${file}.\n`);
    })());
  presets
    .command('duplicate <name> <newName>')
    .action((name: string, newName: string) => run(async (store) => {
      const entry = await store.duplicate(name, newName);
      process.stdout.write(`Saved preset ${entry.preset.name}.\n`);
    })());
  presets
    .command('delete <name>')
    .action((name: string) => run(async (store) => {
      await store.remove(name);
      process.stdout.write(`Deleted preset ${name}.\n`);
    })());
}
