/**
 * Isolates prepared ahead of events, so that creating an isolate, its context and the runtime is off
 * the path from push to handler. Never reused: a run takes one, and it is disposed after that run.
 */
import { prepareIsolate, type PreparedIsolate } from "./prepared.js";

export class IsolatePool {
  private ready: Promise<PreparedIsolate>[] = [];
  private closed = false;

  /** Keeps `size` isolates with a `memoryMb` heap limit ready. */
  constructor(
    private readonly size: number,
    readonly memoryMb: number,
  ) {
    this.refill();
  }

  /** A ready isolate when the limit matches and one is there, else one prepared now. */
  take(memoryMb: number): Promise<PreparedIsolate> {
    const next = memoryMb === this.memoryMb && !this.closed ? this.ready.shift() : undefined;
    if (!next) return prepareIsolate(memoryMb);
    // Refill after this event has started, not before it.
    setImmediate(() => this.refill());
    return next.catch(() => prepareIsolate(memoryMb));
  }

  /** Disposes the isolates still waiting. */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = this.ready.splice(0);
    for (const p of await Promise.allSettled(waiting)) {
      if (p.status === "fulfilled" && !p.value.isolate.isDisposed) p.value.isolate.dispose();
    }
  }

  private refill(): void {
    while (!this.closed && this.ready.length < this.size) {
      const prepared = prepareIsolate(this.memoryMb);
      prepared.catch(() => {}); // a failed preparation is retried by take()
      this.ready.push(prepared);
    }
  }
}
