/**
 * One registry's requests, whichever repository they are for: a budget of requests per second, and a
 * hold after `429 Too Many Requests` (until its Retry-After, else a doubling backoff) that every
 * repository of the registry waits out, since the limit is the registry's, not the repository's.
 */

export interface GateOptions {
  /** Requests per second, on average; bursts up to this many at once. Default 10. */
  perSecond?: number;
  /** Waits without Retry-After: doubling from the first to the last. Default 1 s to 5 min. */
  firstBackoffMs?: number;
  lastBackoffMs?: number;
  /** Replaced in tests to record the waits instead of sleeping them. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class RequestGate {
  readonly #perSecond: number;
  readonly #firstBackoffMs: number;
  readonly #lastBackoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #heldUntil = 0;
  #backoffMs: number;

  constructor(options: GateOptions = {}) {
    this.#perSecond = options.perSecond ?? 10;
    this.#firstBackoffMs = options.firstBackoffMs ?? 1_000;
    this.#lastBackoffMs = options.lastBackoffMs ?? 300_000;
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? Date.now;
    this.#tokens = this.#perSecond;
    this.#refilledAt = this.#now();
    this.#backoffMs = this.#firstBackoffMs;
  }

  /** Resolves when a request may be sent: after any hold, with a token of the budget taken. */
  async take(): Promise<void> {
    for (;;) {
      const now = this.#now();
      if (now < this.#heldUntil) {
        await this.#sleep(this.#heldUntil - now);
        continue;
      }
      this.#tokens = Math.min(
        this.#perSecond,
        this.#tokens + ((now - this.#refilledAt) / 1000) * this.#perSecond,
      );
      this.#refilledAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.#sleep(Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000));
    }
  }

  /** A 429: hold every request until `retryAfterMs` from now, or the next backoff step without it. */
  limited(retryAfterMs: number | undefined): number {
    const wait = retryAfterMs ?? this.#backoffMs;
    if (retryAfterMs === undefined) this.#backoffMs = Math.min(this.#lastBackoffMs, this.#backoffMs * 2);
    this.#heldUntil = Math.max(this.#heldUntil, this.#now() + wait);
    return wait;
  }

  /** An answer that was not a 429: the next one without Retry-After starts the backoff afresh. */
  answered(): void {
    this.#backoffMs = this.#firstBackoffMs;
  }

  /** When requests may go again (epoch ms); 0 when not held. */
  get heldUntil(): number {
    return this.#heldUntil;
  }
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
