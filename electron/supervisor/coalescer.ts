// Runs a costly step (rewriting and fsyncing state.json, telling every client) at most once per interval
// for changes that may come in floods, and at once for the ones that matter: a guest can send thousands
// of STATUS= messages a second, and each used to cost a write. A trailing run always carries the newest.
export class Coalescer {
  private timer?: NodeJS.Timeout;
  private lastRun = -Infinity;

  constructor(
    private readonly step: () => void,
    private readonly intervalMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Runs the step now; a run that was waiting is dropped (this one is newer). */
  runNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastRun = this.clock();
    this.step();
  }

  /** Runs the step now if the last run is an interval old, else once when it is. */
  runSoon(): void {
    if (this.timer) return;
    const wait = this.lastRun + this.intervalMs - this.clock();
    if (wait <= 0) return this.runNow();
    this.timer = setTimeout(() => this.runNow(), wait);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
