/**
 * Whether this process is in a burst of webhooks, for the worker it shares the event loop with
 * (`bosun serve`): then claims wait, so registries get their answers first (see Consumer.busy).
 * A single push is never a burst, so its handler starts at once. Under sustained pushes claims
 * still go on at a floor rate (`holdsOff`): ingest delays runs, it does not starve them.
 */
export class IngestPressure {
  #inFlight = 0;
  #windowStart = 0;
  #inWindow = 0;
  #previousWindow = 0;
  /** Claims owed to the worker under pressure (a token bucket filled at the floor rate). */
  #owed = 0;
  #owedAt: number | undefined;

  constructor(
    /** Webhooks being answered at once that make a burst. */
    private readonly maxInFlight = 4,
    /** Webhooks started within one window (this window or the one before) that make a burst. */
    private readonly perWindow = 50,
    private readonly windowMs = 100,
    private readonly floor: { claimsPerSecond: number; now: () => number } = {
      claimsPerSecond: MIN_CLAIMS_PER_SECOND,
      now: () => performance.now(),
    },
  ) {}

  started(): void {
    const now = this.floor.now();
    if (now - this.#windowStart >= this.windowMs) {
      // Only the window just before counts; after a pause, the burst is over.
      this.#previousWindow = now - this.#windowStart < 2 * this.windowMs ? this.#inWindow : 0;
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    this.#inWindow++;
    this.#inFlight++;
  }

  finished(): void {
    this.#inFlight--;
  }

  busy(): boolean {
    if (this.#inFlight >= this.maxInFlight) return true;
    const age = this.floor.now() - this.#windowStart;
    if (age >= 2 * this.windowMs) return false;
    if (age < this.windowMs && this.#inWindow >= this.perWindow) return true;
    // Early in a window, the one before still speaks for the burst (counts restart every window).
    return age < this.windowMs ? this.#previousWindow >= this.perWindow : this.#inWindow >= this.perWindow;
  }

  /**
   * Whether a claim should wait now: while busy, except that the worker gets at least
   * `claimsPerSecond` claims (asked for through this) whatever the load.
   */
  holdsOff(): boolean {
    const now = this.floor.now();
    if (!this.busy()) {
      this.#owedAt = undefined;
      this.#owed = 0;
      return false;
    }
    const since = now - (this.#owedAt ?? now);
    this.#owedAt = now;
    this.#owed = Math.min(MAX_OWED, this.#owed + (since * this.floor.claimsPerSecond) / 1000);
    if (this.#owed < 1) return true;
    this.#owed -= 1;
    return false;
  }
}

/**
 * Claims per second the worker keeps under any ingest load: runs may cost ingest no more than about
 * 5% of its throughput. A trivial run costs the process 8-10 ms of CPU, most of it a fresh isolate on
 * the shared event loop; measured against the build that let one claim a second through
 * (bench/compare-builds.mjs), 5 a second cost ingest 3-7%, 3 a second stays within the noise.
 */
export const MIN_CLAIMS_PER_SECOND = 3;

/** Claims saved up while the worker was not asking (at maxRuns): a small burst at most. */
const MAX_OWED = 2;
