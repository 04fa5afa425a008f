/**
 * What wakes the live stream: the store's writes in this process (not its reads, nor an accept
 * without a delivery, which no page shows until a run is made), and a change that
 * came while a follower was busy reading is not missed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { openSqliteStore, type SqliteStoreWithCredentials } from "@bosun/store";
import { ChangeSignal, watchStore } from "../src/server/live/changes.js";

describe("live stream: changes", function () {
  let dir: string;
  let store: SqliteStoreWithCredentials;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "bosun-live-"));
    store = await openSqliteStore({ dataDir: dir });
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts a write once it has committed, and not a read", async () => {
    const signal = new ChangeSignal();
    const watched = watchStore(store, signal);
    const { accepted } = await watched.acceptEvents([
      { project: "p", source: "ci", type: "done", payload: "{}", deliveryId: "d-1" },
    ]);
    await watched.listRuns();
    await watched.getEvent(accepted[0]!.id);
    expect(signal.generation).to.equal(0);
    const run = await watched.createRun({
      eventId: accepted[0]!.id,
      project: "p",
      attempt: 1,
      handler: "script",
    });
    expect(signal.generation).to.equal(1);
    expect(await watched.getRun(run.id)).to.deep.include({ status: "running" });
    await watched.appendLogs([{ runId: run.id, stream: "script", text: "hello\n" }]);
    await watched.finishRun(run.id, "succeeded");
    expect(signal.generation).to.equal(3);
  });

  it("counts the run actions: a rerun asked for and a cancel", async () => {
    const signal = new ChangeSignal();
    const watched = watchStore(store, signal);
    const { accepted } = await watched.acceptEvents([
      { project: "p", source: "ci", type: "done", payload: "{}", deliveryId: "d-actions" },
    ]);
    await watched.cancelEvent(accepted[0]!.id, "admin");
    expect(signal.generation).to.equal(1);
    const [cancelled] = await watched.listRuns({ eventId: accepted[0]!.id });
    const rerun = await watched.requestRun({ kind: "rerun", runId: cancelled!.id, requestedBy: "admin" });
    expect(rerun, JSON.stringify(rerun)).to.have.property("run");
    expect(signal.generation).to.equal(2);
    await watched.cancelRun((rerun as { run: { id: string } }).run.id, "admin");
    expect(signal.generation).to.equal(3);
  });

  it("counts a delivery recorded, alone or with the events of its accept", async () => {
    const signal = new ChangeSignal();
    const watched = watchStore(store, signal);
    const delivery = {
      registry: "dockerhub",
      project: "p",
      headers: {},
      body: "{}",
      bodyTruncated: false,
      images: [],
      ignored: [],
      keep: 100,
    };
    await watched.recordDelivery({ ...delivery, outcome: "ignored" });
    expect(signal.generation).to.equal(1);
    await watched.acceptEvents(
      [{ project: "p", source: "ci", type: "done", payload: "{}", deliveryId: "d-delivery" }],
      delivery,
    );
    expect(signal.generation).to.equal(2);
  });

  it("wakes a follower at once for a change made while it was reading", async () => {
    const signal = new ChangeSignal();
    const since = signal.generation;
    signal.notify();
    // Resolves now: a wait for the next change would hang (the mocha timeout fails it).
    await signal.next(since, 3_600_000, new AbortController().signal);
  });

  it("wakes every waiting follower at the next change, and one that stops", async () => {
    const signal = new ChangeSignal();
    const stop = new AbortController();
    const waits = [
      signal.next(signal.generation, 3_600_000, new AbortController().signal),
      signal.next(signal.generation, 3_600_000, new AbortController().signal),
    ];
    signal.notify();
    await Promise.all(waits);
    const stopped = signal.next(signal.generation, 3_600_000, stop.signal);
    stop.abort();
    await stopped;
  });
});
