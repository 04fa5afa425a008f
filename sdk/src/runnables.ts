/**
 * Brigade v2's composable groups: `Job.sequence(...)` and `Job.concurrent(...)` take jobs or other
 * groups, so pipelines nest (a sequence of concurrent stages, ...).
 */

/** Anything with run(): a Job, a SerialGroup, a ConcurrentGroup. */
export interface Runnable {
  run(): Promise<unknown>;
}

/** Runs its members one after another; stops at the first failure and rejects with it. */
export class SerialGroup implements Runnable {
  readonly runnables: Runnable[];

  constructor(...runnables: Runnable[]) {
    this.runnables = checked(runnables, "Job.sequence");
  }

  add(...runnables: Runnable[]): this {
    this.runnables.push(...checked(runnables, "SerialGroup.add"));
    return this;
  }

  length(): number {
    return this.runnables.length;
  }

  async run(): Promise<void> {
    for (const r of this.runnables) await r.run();
  }
}

/** Runs its members at once; waits for all of them, then rejects with the first failure, if any. */
export class ConcurrentGroup implements Runnable {
  readonly runnables: Runnable[];

  constructor(...runnables: Runnable[]) {
    this.runnables = checked(runnables, "Job.concurrent");
  }

  add(...runnables: Runnable[]): this {
    this.runnables.push(...checked(runnables, "ConcurrentGroup.add"));
    return this;
  }

  length(): number {
    return this.runnables.length;
  }

  async run(): Promise<void> {
    const settled = await Promise.allSettled(this.runnables.map((r) => r.run()));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
  }
}

function checked(runnables: Runnable[], where: string): Runnable[] {
  runnables.forEach((r, i) => {
    if (!r || typeof (r as Partial<Runnable>).run !== "function") {
      throw new TypeError(`${where}: argument ${i + 1} is not a Job or a group (it has no run())`);
    }
  });
  return [...runnables];
}
