// The model catalog: every manifest the engine knows, validated once on load.
// A broken catalog is refused as a whole with messages that name the entry
// and the field, because a half-loaded catalog would fail later and far away.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, ModelNotFoundError } from '../../common/errors.ts';
import { describeIssues, issuePath } from '../../common/zod-issues.ts';
import { modelCatalogSchema } from '../../common/model-manifest.ts';
import type { ModelManifest, ModelTask } from '../../common/model-manifest.ts';
import { bundledCatalogPath } from './repo-paths.ts';

function entryLabel(raw: unknown, index: number): string {
  const models = (raw as { models?: unknown })?.models;
  const entry = Array.isArray(models) ? (models[index] as { id?: unknown } | undefined) : undefined;
  return typeof entry?.id === 'string' ? `model "${entry.id}" (entry ${index})` : `entry ${index}`;
}

/** An issue's place in catalog terms: `model "x" (entry 6) field inputs[0].dtype`. */
function catalogLocation(raw: unknown, path: readonly PropertyKey[]): string {
  const [head, index, ...rest] = path;
  if (head === 'models' && typeof index === 'number') {
    const field = rest.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '');
    return `${entryLabel(raw, index)}${field ? ` field ${field}` : ''}`;
  }
  return issuePath(path);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Known ids close to `wanted`: those containing it (or contained in it), then small edit distances. */
export function closeIds(wanted: string, known: readonly string[], limit = 5): string[] {
  const needle = wanted.toLowerCase();
  const scored = known.map((id) => {
    const contains = id.includes(needle) || (needle.length > 0 && needle.includes(id));
    return { id, score: contains ? 0 : levenshtein(needle, id) };
  });
  const threshold = Math.max(2, Math.floor(needle.length / 3));
  return scored
    .filter((entry) => entry.score <= threshold)
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((entry) => entry.id);
}

export class Catalog {
  private readonly byId: ReadonlyMap<string, ModelManifest>;

  private constructor(
    readonly models: readonly ModelManifest[],
    /** Where the catalog came from, for messages. */
    readonly source: string,
  ) {
    this.byId = new Map(models.map((model) => [model.id, model]));
  }

  /** Validates parsed JSON; throws InvalidArgumentError naming each bad entry and field. */
  static fromJson(raw: unknown, source: string): Catalog {
    const parsed = modelCatalogSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error, { location: (path) => catalogLocation(raw, path), whole: 'top level' });
      throw new InvalidArgumentError(`The model catalog ${source} is invalid: ${problems}. Fix those fields.`);
    }
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const model of parsed.data.models) {
      if (seen.has(model.id)) problems.push(`model "${model.id}" is listed twice`);
      seen.add(model.id);
    }
    for (const model of parsed.data.models) {
      if (model.denoisePartner !== undefined && !seen.has(model.denoisePartner)) {
        problems.push(`model "${model.id}" field denoisePartner names "${model.denoisePartner}", which is not in the catalog`);
      }
    }
    if (problems.length > 0) {
      throw new InvalidArgumentError(`The model catalog ${source} is invalid: ${problems.join('; ')}.`);
    }
    return new Catalog(parsed.data.models, source);
  }

  /** Reads and validates a catalog file (the bundled models/catalog.json by default). */
  static async load(file: string = bundledCatalogPath): Promise<Catalog> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(`The model catalog ${file} cannot be read. Check that it exists.`, { cause: error, detail: String(error) });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(`The model catalog ${file} is not valid JSON: ${(error as Error).message}.`, { cause: error });
    }
    return Catalog.fromJson(raw, file);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The manifest of `id`; ModelNotFoundError with close ids when the catalog does not know it. */
  get(id: string): ModelManifest {
    const model = this.byId.get(id);
    if (model) return model;
    throw new ModelNotFoundError(id, [this.source], { suggestions: closeIds(id, [...this.byId.keys()]) });
  }

  ids(): string[] {
    return this.models.map((model) => model.id);
  }

  /** Models of one task (all models without a task), in catalog order. */
  list(task?: ModelTask): ModelManifest[] {
    return this.models.filter((model) => task === undefined || model.task === task);
  }
}
