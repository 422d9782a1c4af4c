// The app's settings: one JSON file in the data folder, replaced atomically
// (write-temporary, fsync, rename) so a crash leaves the old or the new file,
// never half of one. A file that no longer validates (edited by hand, older
// version) keeps its valid fields; the rest fall back to the defaults.
import path from 'node:path';
import { DEFAULT_SETTINGS, settingsPatchSchema, settingsSchema, type Settings, type SettingsPatch } from '../../common/api/contract.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import { describeIssues } from '../../common/zod-issues.ts';
import { readJsonFile, writeJsonDurably } from '../storage/durable-json.ts';
import { mkdir } from 'node:fs/promises';

export const SETTINGS_FILE = 'settings.json';

function merge(base: Settings, patch: ReturnType<typeof settingsPatchSchema.parse>): Settings {
  return { ...base, ...patch, outputDefaults: { ...base.outputDefaults, ...patch.outputDefaults }, farm: { ...base.farm, ...patch.farm } };
}

export class SettingsStore {
  private current: Settings | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  get file(): string {
    return path.join(this.dataDir, SETTINGS_FILE);
  }

  async get(): Promise<Settings> {
    this.current ??= await this.load();
    return this.current;
  }

  private async load(): Promise<Settings> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.file);
    } catch {
      return DEFAULT_SETTINGS;
    }
    if (raw === undefined || raw === null || typeof raw !== 'object') return DEFAULT_SETTINGS;
    const whole = settingsSchema.safeParse(raw);
    if (whole.success) return whole.data;
    let settings = DEFAULT_SETTINGS;
    for (const [key, value] of Object.entries(raw)) {
      const field = settingsPatchSchema.safeParse({ [key]: value });
      if (field.success) settings = merge(settings, field.data);
    }
    return settings;
  }

  /** Applies a validated patch and saves; concurrent calls are applied in order. */
  async set(patch: SettingsPatch): Promise<Settings> {
    const parsed = settingsPatchSchema.safeParse(patch);
    if (!parsed.success) throw new InvalidArgumentError(`Invalid settings: ${describeIssues(parsed.error)}.`);
    const next = this.writing.then(async () => {
      const updated = merge(await this.get(), parsed.data);
      await mkdir(this.dataDir, { recursive: true });
      await writeJsonDurably(this.file, updated);
      this.current = updated;
      return updated;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
