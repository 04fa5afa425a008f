/**
 * Whether this process is in a burst of webhooks, for the worker it shares the event loop with
 * (`bosun serve`): then claims wait, so registries get their answers first (see Consumer.busy).
 * A single push is never a burst, so its handler starts at once.
 */
export class IngestPressure {
  #inFlight = 0;
  #windowStart = 0;
  #inWindow = 0;
  #previousWindow = 0;

  constructor(
    /** Webhooks being answered at once that make a burst. */
    private readonly maxInFlight = 4,
    /** Webhooks started within one window (this window or the one before) that make a burst. */
    private readonly perWindow = 50,
    private readonly windowMs = 100,
  ) {}

  started(): void {
    const now = performance.now();
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
    const age = performance.now() - this.#windowStart;
    if (age >= 2 * this.windowMs) return false;
    if (age < this.windowMs && this.#inWindow >= this.perWindow) return true;
    // Early in a window, the one before still speaks for the burst (counts restart every window).
    return age < this.windowMs ? this.#previousWindow >= this.perWindow : this.#inWindow >= this.perWindow;
  }
}
