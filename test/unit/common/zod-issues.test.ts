import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeIssue, describeIssues, issuePath } from '../../../common/zod-issues.ts';

const schema = z.object({ scale: z.number().positive(), steps: z.array(z.object({ kind: z.string() })) }).refine((value) => value.scale < 8, { message: 'scale and steps disagree' });

function issuesOf(value: unknown): z.ZodError {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to be refused');
  return parsed.error;
}

describe('zod issues', () => {
  it('say where and what for each issue, joined by "; "', () => {
    const error = issuesOf({ scale: -1, steps: [{ kind: 3 }] });
    expect(error.issues.map((issue) => issuePath(issue.path))).toEqual(['scale', 'steps.0.kind']);
    expect(describeIssues(error)).toBe(`scale: ${error.issues[0]!.message}; steps.0.kind: ${error.issues[1]!.message}`);
    expect(describeIssues(error, { subject: 'Step 2 (upscale)' })).toBe(`Step 2 (upscale) scale: ${error.issues[0]!.message}; Step 2 (upscale) steps.0.kind: ${error.issues[1]!.message}`);
  });

  it('name an issue about the whole value by `whole`, or give its bare message', () => {
    const error = issuesOf({ scale: 9, steps: [] });
    expect(describeIssues(error)).toBe('scale and steps disagree');
    expect(describeIssues(error, { whole: 'job' })).toBe('job: scale and steps disagree');
    expect(describeIssues(error, { subject: 'Output setting' })).toBe('Output setting: scale and steps disagree');
  });

  it('word paths with a caller-given location, falling back to `whole` for an empty one', () => {
    const location = (path: readonly PropertyKey[]): string => (path[0] === 'steps' ? `entry ${String(path[1])} field ${String(path[2])}` : issuePath(path));
    expect(describeIssue({ path: ['steps', 4, 'kind'], message: 'bad' }, { location })).toBe('entry 4 field kind: bad');
    expect(describeIssue({ path: [], message: 'bad' }, { location, whole: 'top level' })).toBe('top level: bad');
  });
});
