/**
 * Two workers (two Consumers, each with its own store connection) over one PostgreSQL database: every
 * event runs once, and each project's concurrency holds across both, not only within each. A cancel
 * asked through another connection reaches the worker holding the run by LISTEN/NOTIFY.
 */
import { expect } from "chai";
import type { Executor, NewEvent, ProjectConfig } from "@bosun/core";
import { openPostgresStore, type Store } from "@bosun/store";
import { startPostgres, type TestPostgres } from "@bosun/test-support";
import { Consumer } from "../src/consumer/consumer.js";
import type { EventHandler, RunContext, RunOutcome } from "../src/handlers/types.js";

const PROJECTS: ProjectConfig[] = [1, 2, 3].map((concurrency) => ({
  name: `p${concurrency}`,
  secrets: {},
  subscriptions: [],
  executor: "docker",
  concurrency,
  timeouts: { scriptMs: 60_000, jobMs: 60_000 },
  allowPrivileged: false,
}));
const EVENTS_PER_PROJECT = 100;

const event = (project: string, i: number): NewEvent => ({
  project,
  source: "dockerhub",
  type: "image_push",
  image: { registry: "docker.io", repository: "team/app", tag: `v${i}`, ref: `docker.io/team/app:v${i}` },
  payload: "{}",
  deliveryId: `${project}-${i}`,
});

/** Shared by both workers (one process): counts each project's runs in flight across them. */
class CountingHandler implements EventHandler {
  readonly kind = "script" as const;
  readonly running = new Map<string, number>();
  readonly peak = new Map<string, number>();
  readonly handled: string[] = [];
  /** How many runs each worker did. */
  readonly byWorker = new Map<number, number>();

  /** The handler one worker is given: the shared counts, and its own tally. */
  forWorker(worker: number): EventHandler {
    return {
      kind: "script",
      handle: (ctx) => {
        this.byWorker.set(worker, (this.byWorker.get(worker) ?? 0) + 1);
        return this.handle(ctx);
      },
    };
  }

  async handle(ctx: RunContext): Promise<RunOutcome> {
    const p = ctx.project.name;
    this.running.set(p, (this.running.get(p) ?? 0) + 1);
    this.peak.set(p, Math.max(this.peak.get(p) ?? 0, this.running.get(p)!));
    // Long enough for the other worker to try the same project's slot meanwhile.
    await new Promise((r) => setTimeout(r, 3));
    this.running.set(p, this.running.get(p)! - 1);
    this.handled.push(ctx.event.id);
    return { status: "succeeded" };
  }
}

const noExecutor: Executor = { kind: "docker", run: () => Promise.reject(new Error("no job expected")) };

describe("two workers on one PostgreSQL store", function () {
  this.timeout(120_000);
  let server: TestPostgres;
  const stores: Store[] = [];

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await server?.stop();
  });

  it("run every event once, within each project's concurrency across both", async () => {
    for (let i = 0; i < 2; i++) stores.push(await openPostgresStore({ url: server.url }));
    const [a, b] = stores as [Store, Store];
    const inputs = PROJECTS.flatMap((p) =>
      Array.from({ length: EVENTS_PER_PROJECT }, (_, i) => event(p.name, i)),
    );
    await a.acceptEvents(inputs);
    const handler = new CountingHandler();
    const byName = new Map(PROJECTS.map((p) => [p.name, p]));
    const consumers = stores.map(
      (store, worker) =>
        new Consumer({
          store,
          findProject: (n) => byName.get(n),
          handlerFor: () => handler.forWorker(worker),
          executorFor: () => noExecutor,
          maxRuns: 8,
          leaseMs: 30_000,
          pollMs: 20,
        }),
    );
    for (const c of consumers) c.start();
    const deadline = Date.now() + 100_000;
    while (handler.handled.length < inputs.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(consumers.map((c) => c.stop()));

    expect(handler.handled).to.have.length(inputs.length);
    expect(new Set(handler.handled).size).to.equal(inputs.length);
    for (const p of PROJECTS) expect(handler.peak.get(p.name), p.name).to.be.at.most(p.concurrency);
    // Both took part: the limit held across workers, not because one did everything.
    expect(handler.byWorker.get(0)).to.be.greaterThan(0);
    expect(handler.byWorker.get(1)).to.be.greaterThan(0);
    const runs = await b.listRuns({ limit: 1000 });
    expect(new Set(runs.map((r) => r.eventId)).size).to.equal(inputs.length);
    const events = await b.listEvents({ limit: 1000 });
    expect(events.every((e) => e.state === "done" && e.attempts === 1)).to.equal(true);
  });

  it("cancels a run held by the worker on another connection, by its notice", async () => {
    const [a, b] = [
      await openPostgresStore({ url: server.url }),
      await openPostgresStore({ url: server.url }),
    ];
    stores.push(a, b);
    const started: string[] = [];
    const waiting: EventHandler = {
      kind: "script",
      handle: async (ctx) => {
        started.push(ctx.run.id);
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
        );
        return { status: "failed" };
      },
    };
    // Renewals an hour apart: only the notice can tell this worker in time.
    const consumer = new Consumer({
      store: a,
      findProject: () => PROJECTS[0],
      handlerFor: () => waiting,
      executorFor: () => noExecutor,
      leaseMs: 3_600_000,
      pollMs: 20,
    });
    consumer.start();
    try {
      const { accepted } = await b.acceptEvents([event("p1", 999)]);
      while (started.length === 0) await new Promise((r) => setTimeout(r, 10));
      const asked = await b.cancelRun(started[0]!, "admin");
      expect(asked).to.have.nested.property("run.cancelRequestedBy", "admin");
      let run = await b.getRun(started[0]!);
      while (run?.status === "running") {
        await new Promise((r) => setTimeout(r, 10));
        run = await b.getRun(started[0]!);
      }
      expect(run).to.deep.include({
        status: "cancelled",
        error: { code: "RUN_CANCELLED", message: "cancelled at the request of admin" },
      });
      let e = await b.getEvent(accepted[0]!.id);
      while (e?.state !== "done") {
        await new Promise((r) => setTimeout(r, 10));
        e = await b.getEvent(accepted[0]!.id);
      }
    } finally {
      await consumer.stop({ cancel: true });
    }
  });
});
