/** When `bosun serve`'s worker holds off: in a burst of webhooks, never for a single push. */
import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { IngestPressure } from "../src/server/ingest-pressure.js";

describe("ingest pressure", () => {
  it("is not busy for a single push, even while it is being answered", () => {
    const p = new IngestPressure(4, 10, 50);
    p.started();
    expect(p.busy()).to.equal(false);
    p.finished();
    expect(p.busy()).to.equal(false);
  });

  it("is busy while several webhooks are answered at once", () => {
    const p = new IngestPressure(4, 1000, 50);
    for (let i = 0; i < 4; i++) p.started();
    expect(p.busy()).to.equal(true);
    p.finished();
    expect(p.busy()).to.equal(false);
  });

  it("stays busy between the answers of a burst, across windows, and lets go after a pause", async () => {
    const p = new IngestPressure(4, 10, 50);
    for (let i = 0; i < 10; i++) {
      p.started();
      p.finished();
    }
    expect(p.busy(), "nothing in flight, but ten just now").to.equal(true);
    await sleep(60);
    p.started();
    p.finished();
    expect(p.busy(), "a new window right after a busy one").to.equal(true);
    await sleep(160);
    expect(p.busy(), "after a pause").to.equal(false);
  });
});
