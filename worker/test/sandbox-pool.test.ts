/** Isolates prepared ahead of events: faster to start, and still one isolate per run. */
import { expect } from "chai";
import { IsolatePool } from "../src/index.js";
import { fixture, runFixture } from "./sandbox-harness.test.js";

describe("sandbox: prepared isolates", () => {
  let pool: IsolatePool;
  beforeEach(() => {
    pool = new IsolatePool(2, 32);
  });
  afterEach(() => pool.close());

  it("runs scripts in prepared isolates, never reusing one: nothing a run leaves reaches the next", async () => {
    const outputs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await runFixture(fixture("leaves-state", "brigade.js"), { pool, limits: { memoryMb: 32 } });
      expect(run.outcome.status).to.equal("succeeded");
      outputs.push(run.output());
    }
    expect(outputs).to.deep.equal(Array(4).fill("seen before: nothing\n"));
  });

  it("a run with another memory limit prepares its own isolate, and the limit holds", async () => {
    const run = await runFixture(fixture("hostile", "memory-bomb.js"), {
      pool,
      limits: { memoryMb: 16, cpuMs: 20_000, timeoutMs: 30_000 },
    });
    expect(run.outcome.status).to.equal("out_of_memory");
  });

  it("a closed pool still serves runs, preparing each isolate on demand", async () => {
    await pool.close();
    const run = await runFixture(fixture("async-handlers", "brigade.js"), { pool, limits: { memoryMb: 32 } });
    expect(run.outcome.status).to.equal("succeeded");
  });
});
