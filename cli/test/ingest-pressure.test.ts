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

describe("ingest pressure: the floor under sustained pushes", () => {
  /** A clock the test moves, and pressure on it whose floor is 25 claims a second. */
  function onFakeTime() {
    const clock = { now: 0 };
    const pressure = new IngestPressure(4, 50, 100, { claimsPerSecond: 25, now: () => clock.now });
    /** A burst of `perTick` webhooks every 10 ms; the worker asks to claim every 10 ms (Consumer's retry). */
    const burst = (ms: number, perTick = 40, asking = true) => {
      let claims = 0;
      for (let t = 0; t < ms; t += 10) {
        clock.now += 10;
        for (let i = 0; i < perTick; i++) {
          pressure.started();
          pressure.finished();
        }
        if (asking && !pressure.holdsOff()) claims++;
      }
      return claims;
    };
    return { clock, pressure, burst };
  }

  it("under a continuous burst, still lets claims through at the floor rate, and holds the rest off", () => {
    const { pressure, burst } = onFakeTime();
    const claims = burst(20_000);
    expect(pressure.busy()).to.equal(true);
    // 25 a second for 20 s; never the one claim a second a plain hold-off would give.
    expect(claims).to.be.within(495, 502);
  });

  it("does not save up claims while the worker is not asking (at maxRuns): a small burst at most", () => {
    const { pressure, burst } = onFakeTime();
    burst(100);
    burst(5_000, 40, false);
    let inARow = 0;
    while (!pressure.holdsOff()) inARow++;
    expect(inARow).to.be.within(1, 2);
  });

  it("holds nothing off without pressure, and starts owing afresh after a pause", () => {
    const { clock, pressure, burst } = onFakeTime();
    expect(pressure.holdsOff()).to.equal(false);
    burst(1_000);
    clock.now += 5_000;
    expect(pressure.holdsOff()).to.equal(false);
    expect(burst(30, 60), "a new burst holds off at once").to.equal(0);
  });
});
