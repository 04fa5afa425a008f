/**
 * A cap on jobs running at once in one executor, shared fairly between projects: one project holds
 * at most `perKey` of the slots, and a freed slot goes to the waiting project served least recently
 * (round robin), not to whoever queued first. Within a project, jobs start in order.
 */
export class Slots {
  private used = 0;
  private readonly usedBy = new Map<string, number>();
  private readonly queues = new Map<string, (() => void)[]>();
  /** When each project in use or waiting was last given a slot (a counter); never: first in turn. */
  private readonly served = new Map<string, number>();
  private grants = 0;

  constructor(
    readonly size: number,
    /** The most slots one key (project) holds at once. Default: all of them. */
    readonly perKey: number = size,
  ) {}

  /** Resolves with a release function once `key` may have a slot; rejects if `signal` aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (!this.queues.has(key) && this.mayTake(key)) return Promise.resolve(this.take(key));
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", abort);
        resolve(this.take(key));
      };
      const abort = () => {
        const queue = this.queues.get(key) ?? [];
        const at = queue.indexOf(grant);
        if (at !== -1) queue.splice(at, 1);
        if (queue.length === 0) this.queues.delete(key);
        this.forget(key);
        reject(signal?.reason ?? new Error("aborted"));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      const queue = this.queues.get(key);
      if (queue) queue.push(grant);
      else this.queues.set(key, [grant]);
    });
  }

  get inUse(): number {
    return this.used;
  }

  /** Jobs waiting for a slot, all projects together. */
  get waiting(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  private mayTake(key: string): boolean {
    return this.used < this.size && (this.usedBy.get(key) ?? 0) < this.perKey;
  }

  private take(key: string): () => void {
    this.used++;
    this.usedBy.set(key, (this.usedBy.get(key) ?? 0) + 1);
    this.served.set(key, ++this.grants);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      const left = (this.usedBy.get(key) ?? 1) - 1;
      if (left === 0) this.usedBy.delete(key);
      else this.usedBy.set(key, left);
      this.forget(key);
      this.grantWaiting();
    };
  }

  /** Hands free slots to waiting projects, the one served least recently first. */
  private grantWaiting(): void {
    while (this.used < this.size) {
      let next: string | undefined;
      for (const key of this.queues.keys()) {
        if (!this.mayTake(key)) continue;
        if (next === undefined || (this.served.get(key) ?? 0) < (this.served.get(next) ?? 0)) next = key;
      }
      if (next === undefined) return;
      const queue = this.queues.get(next) ?? [];
      const grant = queue.shift();
      if (queue.length === 0) this.queues.delete(next);
      grant?.();
    }
  }

  /** A project neither running nor waiting needs no turn kept. */
  private forget(key: string): void {
    if (!this.usedBy.has(key) && !this.queues.has(key)) this.served.delete(key);
  }
}

/** Slots of an executor for `size` jobs at once: a project may hold all but a quarter (at least one). */
export function fairSlots(size: number, perProject?: number): Slots {
  return new Slots(size, perProject ?? Math.max(1, size - Math.max(1, Math.floor(size / 4))));
}

/** Jobs at once in an executor when its configuration does not say. */
export const DEFAULT_MAX_CONCURRENT_JOBS = 8;
