// What an ffmpeg binary says to a fixed question (`-version`, `-h full`,
// `-encoders`, `-h encoder=X`, `-pix_fmts`) does not change while the file
// does not, yet each asking starts the binary: ~0.1 CPU-s each, six of them
// before a job's first frame, which on two cores held a short job's start
// back by about 0.3 s. Answers are kept in memory for the process and on
// disk per binary (its real path, size and modification time: a new or
// replaced ffmpeg is asked again), in a folder of this user's; a folder that
// is not a plain directory owned by this user is not used. Only answers of a
// run that exited 0 are kept.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runToCompletion } from './ffmpeg-process.ts';
import { perUserTempDir } from './per-user-temp.ts';

interface AnswerFile {
  binary: string;
  size: number;
  mtimeMs: number;
  answers: Record<string, string>;
}

let answersDir: string | null = perUserTempDir('framesmith-ffmpeg-answers');
/** usableDir()'s verdict on answersDir, checked once. */
let checkedDir: { dir: string | undefined } | undefined;
const remembered = new Map<string, string>();

/** Where answers are kept on disk; null keeps them in memory only. Also forgets this process's answers (tests). */
export function setBinaryAnswersDir(dir: string | null): void {
  answersDir = dir;
  checkedDir = undefined;
  remembered.clear();
}

interface Identity {
  key: string;
  binary: string;
  size: number;
  mtimeMs: number;
}

function identityOf(executable: string): Identity | undefined {
  try {
    const binary = realpathSync(executable);
    const info = statSync(binary);
    return { key: createHash('sha256').update(`${binary}\0${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 24), binary, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

function usableDir(): string | undefined {
  checkedDir ??= { dir: checkDir(answersDir) };
  return checkedDir.dir;
}

function checkDir(dir: string | null): string | undefined {
  if (!dir) return undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    const ours = typeof process.getuid !== 'function' || info.uid === process.getuid();
    return info.isDirectory() && ours ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readAnswers(dir: string, identity: Identity): AnswerFile {
  const empty: AnswerFile = { binary: identity.binary, size: identity.size, mtimeMs: identity.mtimeMs, answers: {} };
  try {
    const parsed = JSON.parse(readFileSync(path.join(dir, `${identity.key}.json`), 'utf8')) as Partial<AnswerFile>;
    const matches = parsed.binary === identity.binary && parsed.size === identity.size && parsed.mtimeMs === identity.mtimeMs;
    return matches && parsed.answers && typeof parsed.answers === 'object' ? { ...empty, answers: parsed.answers } : empty;
  } catch {
    return empty;
  }
}

function questionKey(identity: Identity, args: readonly string[]): string {
  return `${identity.key}\0${args.join('\0')}`;
}

function recall(identity: Identity, args: readonly string[]): string | undefined {
  const key = questionKey(identity, args);
  const known = remembered.get(key);
  if (known !== undefined) return known;
  const dir = usableDir();
  const stored = dir ? readAnswers(dir, identity).answers[args.join('\0')] : undefined;
  if (typeof stored === 'string') remembered.set(key, stored);
  return typeof stored === 'string' ? stored : undefined;
}

function remember(identity: Identity, args: readonly string[], answer: string): void {
  remembered.set(questionKey(identity, args), answer);
  const dir = usableDir();
  if (!dir) return;
  try {
    const file = readAnswers(dir, identity);
    file.answers[args.join('\0')] = answer;
    const target = path.join(dir, `${identity.key}.json`);
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(file), { mode: 0o600 });
    renameSync(partial, target);
  } catch {
    // A cache that cannot be written only costs asking again.
  }
}

/** The binary's stdout for `args` (a question whose answer depends on the binary alone); FfmpegFailedError when it fails. */
export async function askBinary(executable: string, args: readonly string[], what: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const identity = identityOf(executable);
  const known = identity ? recall(identity, args) : undefined;
  if (known !== undefined) return known;
  const { stdout } = await runToCompletion(executable, args, what, options);
  if (identity) remember(identity, args, stdout);
  return stdout;
}

/** The same, synchronously (for locating, where a version decides); undefined when the binary fails. */
export function askBinarySync(executable: string, args: readonly string[]): string | undefined {
  const identity = identityOf(executable);
  const known = identity ? recall(identity, args) : undefined;
  if (known !== undefined) return known;
  const result = spawnSync(executable, args, { encoding: 'utf8', timeout: 15_000, windowsHide: true });
  if (result.error || result.status !== 0) return undefined;
  if (identity) remember(identity, args, result.stdout);
  return result.stdout;
}
