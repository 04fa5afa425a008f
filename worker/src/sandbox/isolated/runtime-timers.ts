/**
 * Timers inside the isolate. The clock is the host's: each timer is a host timer by id, and the
 * host calls back (fireTimer) when it is due. An unref'd timer, as in Node, does not keep the run alive.
 */
import type { RawHost } from "./protocol.js";

/** Node's bounds: longer or invalid delays become 1 ms. */
const MAX_DELAY = 2 ** 31 - 1;

type Callback = (...args: unknown[]) => void;

interface Entry {
  callback: Callback;
  args: unknown[];
  /** The delay again, for intervals. */
  repeat: number | undefined;
  ref: boolean;
}

/** What setTimeout returns: a handle like Node's Timeout (ref/unref/hasRef), usable as a number too. */
export class Timeout {
  constructor(
    readonly id: number,
    private readonly timers: RuntimeTimers,
  ) {}
  ref(): this {
    this.timers.setRef(this.id, true);
    return this;
  }
  unref(): this {
    this.timers.setRef(this.id, false);
    return this;
  }
  hasRef(): boolean {
    return this.timers.hasRef(this.id);
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

export class RuntimeTimers {
  private readonly entries = new Map<number, Entry>();
  private readonly ticks = new Map<number, () => void>();
  private next = 1;

  constructor(
    private readonly host: Pick<RawHost, "setTimer" | "clearTimer">,
    private readonly onThrow: (error: unknown) => void,
    private readonly onChange: () => void,
  ) {}

  /** Timers that keep the run alive. */
  get pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.ref) n++;
    return n;
  }

  schedule(callback: unknown, ms: unknown, args: unknown[], interval: boolean): Timeout {
    if (typeof callback !== "function") {
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    }
    const delay = clampDelay(ms);
    const id = this.arm(delay);
    this.entries.set(id, {
      callback: callback as Callback,
      args,
      repeat: interval ? delay : undefined,
      ref: true,
    });
    return new Timeout(id, this);
  }

  clear(handle: unknown): void {
    const id = typeof handle === "number" ? handle : handle instanceof Timeout ? handle.id : undefined;
    if (id === undefined || !this.entries.delete(id)) return;
    this.host.clearTimer(id);
    this.onChange();
  }

  setRef(id: number, ref: boolean): void {
    const entry = this.entries.get(id);
    if (entry) entry.ref = ref;
    this.onChange();
  }

  hasRef(id: number): boolean {
    return this.entries.get(id)?.ref ?? false;
  }

  /** A macrotask turn: resolves after every microtask queued so far has run. */
  tick(): Promise<void> {
    return new Promise((resolve) => this.ticks.set(this.arm(0), resolve));
  }

  fire(id: number): void {
    const tick = this.ticks.get(id);
    if (tick) {
      this.ticks.delete(id);
      tick();
      return;
    }
    const entry = this.entries.get(id);
    if (!entry) return;
    if (entry.repeat === undefined) this.entries.delete(id);
    else this.rearm(id, entry.repeat);
    try {
      entry.callback(...entry.args);
    } catch (error) {
      this.onThrow(error);
    }
    this.onChange();
  }

  private arm(delay: number): number {
    const id = this.next++;
    const refusal = this.host.setTimer(id, delay);
    if (refusal !== undefined) throw new RangeError((JSON.parse(refusal) as { message: string }).message);
    return id;
  }

  private rearm(id: number, delay: number): void {
    if (this.host.setTimer(id, delay) !== undefined) this.entries.delete(id);
  }
}

function clampDelay(ms: unknown): number {
  const n = Number(ms);
  return Number.isFinite(n) && n >= 1 && n <= MAX_DELAY ? Math.floor(n) : n === 0 ? 0 : 1;
}
