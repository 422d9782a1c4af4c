// When the engine host crashes, main starts it again after a growing delay
// (1 s, 2 s, 4 s ...) and gives up after a few quick crashes, telling the
// user, instead of restarting every second forever. A host that ran for a
// while before crashing starts the count afresh.
export interface RestartDecision {
  /** Wait this long, then start again; undefined: stop and tell the user. */
  delayMs: number | undefined;
  crashes: number;
}

export class HostRestartPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly maxQuickCrashes = 3,
    private readonly windowMs = 60_000,
    private readonly firstDelayMs = 1000,
  ) {}

  /** Record a crash at `now` (ms) and decide. */
  crashed(now: number): RestartDecision {
    this.crashes = [...this.crashes.filter((at) => now - at < this.windowMs), now];
    const count = this.crashes.length;
    if (count >= this.maxQuickCrashes) return { delayMs: undefined, crashes: count };
    return { delayMs: this.firstDelayMs * 2 ** (count - 1), crashes: count };
  }
}
