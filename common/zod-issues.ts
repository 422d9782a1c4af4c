// One wording for schema failures (zod issues) wherever a boundary validates:
// "Step 2 (upscale) scale: Too small: expected number to be >0; model: ...".
// Each issue is "<where>: <message>", joined by "; ". Structural types, so
// this needs no particular zod version and no node:*.

export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export interface IssueSource {
  readonly issues: readonly IssueLike[];
}

export interface DescribeIssuesOptions {
  /** Put before every issue's location: 'Step 2 (upscale)' gives "Step 2 (upscale) scale: ...". */
  subject?: string;
  /** The location of an issue about the whole value (empty path), e.g. 'job'; without it such an issue is its bare message. */
  whole?: string;
  /** Words a path where dotted keys do not read well (a catalog entry by its id); '' falls back to `whole`. */
  location?: (path: readonly PropertyKey[]) => string;
}

/** 'steps.0.scale': the key form the UI uses to mark a field. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

export function describeIssue(issue: IssueLike, options: DescribeIssuesOptions = {}): string {
  const location = (options.location ?? issuePath)(issue.path) || options.whole;
  const where = [options.subject, location].filter((part) => part !== undefined && part !== '').join(' ');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

export function describeIssues(error: IssueSource, options: DescribeIssuesOptions = {}): string {
  return error.issues.map((issue) => describeIssue(issue, options)).join('; ');
}
