/**
 * The queue consumer over the real SQLite store: per-project concurrency, every event run once,
 * runs recorded with their outcome, and a stop that hands interrupted events back to the queue.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type Executor, type NewEvent, type ProjectConfig } from "@bosun/core";
import { openSqliteStore, type Store } from "@bosun/store";
import { Consumer } from "../src/consumer/consumer.js";
import type { EventHandler, RunContext, RunOutcome } from "../src/handlers/types.js";

const project = (name: string, concurrency: number): ProjectConfig => ({
  name,
  secrets: { TOKEN: "very-secret-value" },
  subscriptions: [],
  executor: "docker",
  concurrency,
  timeouts: { scriptMs: 60_000, jobMs: 60_000 },
  allowPrivileged: false,
});

const event = (projectName: string, i: number): NewEvent => ({
  project: projectName,
  source: "dockerhub",
  type: "image_push",
  image: { registry: "docker.io", repository: "team/app", tag: `v${i}`, ref: `docker.io/team/app:v${i}` },
  payload: "{}",
  deliveryId: `${projectName}-${i}`,
});

/** Holds each run until released, and records how many of a project's runs overlapped. */
class GatedHandler implements EventHandler {
  readonly kind = "script" as const;
  running = new Map<string, number>();
  peak = new Map<string, number>();
  handled: string[] = [];
  private gates: (() => void)[] = [];
  constructor(private readonly outcome: (ctx: RunContext) => RunOutcome = () => ({ status: "succeeded" })) {}

  async handle(ctx: RunContext): Promise<RunOutcome> {
    const p = ctx.project.name;
    this.running.set(p, (this.running.get(p) ?? 0) + 1);
    this.peak.set(p, Math.max(this.peak.get(p) ?? 0, this.running.get(p)!));
    ctx.log(`secret is ${ctx.project.secrets.TOKEN}\n`);
    await new Promise<void>((resolve) => {
      this.gates.push(resolve);
      // A run cancelled before its handler started has its signal aborted already: no event will come.
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    this.running.set(p, this.running.get(p)! - 1);
    this.handled.push(ctx.event.id);
    return ctx.signal.aborted ? { status: "cancelled" } : this.outcome(ctx);
  }

  releaseAll(): number {
    const n = this.gates.length;
    for (const g of this.gates.splice(0)) g();
    return n;
  }
}

const noExecutor: Executor = {
  kind: "docker",
  run: () => Promise.reject(new Error("no job expected")),
};

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("queue consumer", function () {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-consumer-"));
    store = await openSqliteStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function consumer(
    handler: EventHandler,
    projects: ProjectConfig[],
    maxRuns = 8,
    busy?: () => boolean,
    maxHoldOffMs?: number,
  ): Consumer {
    const byName = new Map(projects.map((p) => [p.name, p]));
    return new Consumer({
      store,
      findProject: (n) => byName.get(n),
      handlerFor: () => handler,
      executorFor: () => noExecutor,
      maxRuns,
      leaseMs: 5_000,
      pollMs: 50,
      busy,
      maxHoldOffMs,
    });
  }

  it("honours each project's concurrency while other projects keep running", async () => {
    const handler = new GatedHandler();
    const c = consumer(handler, [project("serial", 1), project("wide", 3)]);
    await store.acceptEvents([
      ...[1, 2, 3].map((i) => event("serial", i)),
      ...[1, 2, 3, 4, 5].map((i) => event("wide", i)),
    ]);
    c.start();
    // Let the first runs reach both limits before anything is released (on a loaded machine that may
    // take a while), then keep releasing: any overlap beyond a limit would show in the peaks.
    await until(
      () => handler.running.get("wide") === 3 && handler.running.get("serial") === 1,
      "both limits",
    );
    await until(async () => {
      await new Promise((r) => setTimeout(r, 20));
      handler.releaseAll();
      return (await store.listRuns()).filter((r) => r.status === "succeeded").length === 8;
    }, "8 runs");
    await c.stop();
    expect(handler.peak.get("serial")).to.equal(1);
    expect(handler.peak.get("wide")).to.equal(3);
    expect(new Set(handler.handled).size).to.equal(8);
    expect((await store.listEvents()).every((e) => e.state === "done")).to.equal(true);
  });

  it("records the outcome, and redacts project secrets from what the handler logs", async () => {
    const handler = new GatedHandler(() => ({
      status: "failed",
      error: { code: "SCRIPT_FAILED", message: "boom" },
    }));
    const c = consumer(handler, [project("p", 1)]);
    const { accepted } = await store.acceptEvents([event("p", 1)]);
    c.start();
    await until(() => handler.releaseAll() > 0, "the run to start");
    await until(async () => (await store.listRuns())[0]?.status === "failed", "the run to fail");
    await c.stop();
    const [run] = await store.listRuns({ eventId: accepted[0]!.id });
    expect(run!.error).to.deep.equal({ code: "SCRIPT_FAILED", message: "boom" });
    const text = (await store.readLogs({ runId: run!.id })).map((l) => l.text).join("");
    expect(text).to.equal("secret is ***\n");
  });

  it("under pushes that never stop, still claims one event per hold-off period", async () => {
    const handler = new GatedHandler();
    const c = consumer(handler, [project("p", 8)], 8, () => true, 600);
    await store.acceptEvents([event("p", 1), event("p", 2), event("p", 3), event("p", 4)]);
    c.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(await store.listRuns(), "within the first period").to.have.length(0);
    await until(async () => (await store.listRuns()).length === 1, "one run after the first period");
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.listRuns(), "one claim per period, not all at once").to.have.length(1);
    await until(async () => (await store.listRuns()).length === 2, "another after the next period");
    // The second run may not have reached its handler yet: cancel rather than release what is gated.
    await c.stop({ cancel: true });
  });

  it("while held off, looks again on one timer however many accepts wake it", async () => {
    let asked = 0;
    const c = consumer(new GatedHandler(), [project("p", 8)], 8, () => (asked++, true), 60_000);
    c.start();
    // Every accepted batch wakes the pump; each used to start a retry timer of its own, forever.
    for (let i = 0; i < 200; i++) await store.acceptEvents([event("p", i)]);
    await new Promise((r) => setTimeout(r, 50));
    const before = asked;
    await new Promise((r) => setTimeout(r, 200));
    await c.stop();
    // One retry every 10 ms: about 20 in 200 ms. With a timer per wake-up it was thousands.
    expect(asked - before, "busy checks in 200 ms").to.be.below(60);
  });

  it("holds off claiming while its process is busy answering pushes, then catches up", async () => {
    const handler = new GatedHandler();
    let busy = true;
    const c = consumer(handler, [project("p", 2)], 8, () => busy);
    await store.acceptEvents([event("p", 1)]);
    c.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.listRuns()).to.deep.equal([]);
    busy = false;
    await until(async () => {
      handler.releaseAll();
      return (await store.listRuns())[0]?.status === "succeeded";
    }, "the run once the process is no longer busy");
    await c.stop();
  });

  it("records a run for an event whose project is gone, and does not run it", async () => {
    const handler = new GatedHandler();
    const c = consumer(handler, []);
    await store.acceptEvents([event("vanished", 1)]);
    c.start();
    await until(
      async () => (await store.listRuns()).length === 1 && (await store.listRuns())[0]!.status !== "running",
      "a run",
    );
    await c.stop();
    const [run] = await store.listRuns();
    expect(run!.status).to.equal("failed");
    expect(run!.error!.message).to.contain('project "vanished" is no longer configured');
    expect(handler.handled).to.deep.equal([]);
  });

  it("stop({ cancel }) hands interrupted events back, and the next worker runs them again", async () => {
    const first = new GatedHandler();
    const a = consumer(first, [project("p", 2)]);
    await store.acceptEvents([event("p", 1), event("p", 2)]);
    a.start();
    await until(() => first.running.get("p") === 2, "two runs in flight");
    await a.stop({ cancel: true });
    expect((await store.listRuns()).map((r) => r.status)).to.deep.equal(["cancelled", "cancelled"]);

    const second = new GatedHandler();
    const b = consumer(second, [project("p", 2)]);
    b.start();
    await until(async () => {
      second.releaseAll();
      return (await store.listRuns()).filter((r) => r.status === "succeeded").length === 2;
    }, "both events to run again");
    await b.stop();
    const runs = await store.listRuns();
    expect(runs.filter((r) => r.attempt === 2 && r.status === "succeeded")).to.have.length(2);
  });

  it("stop({ cancel }) never makes the stopped run the event's outcome, however its handler ended", async () => {
    // A handler that reports the abort as a failure (a job killed under it, say) must not end the event.
    const first = new GatedHandler();
    const failing: EventHandler = {
      kind: "script",
      handle: async (ctx) => {
        await first.handle(ctx);
        return { status: "failed", error: { code: "SCRIPT_FAILED", message: "job killed" } };
      },
    };
    const a = consumer(failing, [project("p", 1)]);
    await store.acceptEvents([event("p", 1)]);
    a.start();
    await until(() => first.running.get("p") === 1, "the run in flight");
    await a.stop({ cancel: true });
    const [stopped] = await store.listRuns();
    expect(stopped).to.include({ status: "cancelled" });
    expect(stopped!.error?.message).to.contain("the worker stopped");

    const second = new GatedHandler();
    const b = consumer(second, [project("p", 1)]);
    b.start();
    await until(async () => {
      second.releaseAll();
      return (await store.listRuns()).some((r) => r.status === "succeeded");
    }, "the event to run again");
    await b.stop();
  });

  it("does not run again an event whose worker died after recording its run's outcome", async () => {
    const {
      accepted: [queued],
    } = await store.acceptEvents([event("p", 1)]);
    // A worker that recorded the run as succeeded, then died before finishing the event.
    const claim = await store.claimEvent({ owner: "died", leaseMs: 1 });
    const run = await store.createRun({
      eventId: claim!.event.id,
      project: "p",
      attempt: 1,
      handler: "script",
    });
    await store.finishRun(run.id, "succeeded");
    await new Promise((r) => setTimeout(r, 5));

    const handler = new GatedHandler();
    const c = consumer(handler, [project("p", 1)]);
    c.start();
    await until(async () => (await store.getEvent(queued!.id))?.state === "done", "the event to be finished");
    await c.stop();
    expect(handler.handled).to.deep.equal([]);
    expect((await store.listRuns()).map((r) => [r.attempt, r.status])).to.deep.equal([[1, "succeeded"]]);
  });
});
