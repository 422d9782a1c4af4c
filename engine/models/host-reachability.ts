// Hosts that gave no HTTP answer (no DNS, refused, filtered, silent), kept
// for a while so that the other files and models of one run skip them at
// once instead of each waiting for its own failure. A machine that reaches
// only the npm registry then pays for the GitHub hosts once, not per file.
// Entries expire, so a long-lived app tries again later.
export class HostReachability {
  private readonly down = new Map<string, { reason: string; at: number }>();

  constructor(
    /** How long a host stays marked; default 10 minutes. */
    private readonly rememberMs = 10 * 60_000,
  ) {}

  markUnreachable(host: string, reason: string): void {
    this.down.set(host, { reason, at: Date.now() });
  }

  /** Why `host` is skipped, or undefined when it may be tried. */
  unreachableBecause(host: string): string | undefined {
    const entry = this.down.get(host);
    if (entry === undefined) return undefined;
    if (Date.now() - entry.at > this.rememberMs) {
      this.down.delete(host);
      return undefined;
    }
    return entry.reason;
  }

  clear(): void {
    this.down.clear();
  }
}
