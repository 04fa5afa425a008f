import { expect } from "chai";
import { runsToPrune, type RunToRetain } from "../src/index.js";

const NOW = Date.parse("2026-11-22T12:00:00Z");
const run = (
  id: string,
  daysAgo: number,
  jobNames: string[] = [],
  status: RunToRetain["status"] = "succeeded",
): RunToRetain => ({
  id,
  status,
  createdAt: new Date(NOW - daysAgo * 86_400_000).toISOString(),
  jobNames,
});

describe("log retention rules", () => {
  it("keeps the newest maxBuildRuns and drops runs older than maxBuildAge days", () => {
    const runs = [run("r5", 0), run("r4", 1), run("r3", 2), run("r2", 40), run("r1", 41)];
    expect(runsToPrune(runs, [{ tasks: "*", maxBuildRuns: 2 }], NOW)).to.deep.equal(["r3", "r2", "r1"]);
    expect(runsToPrune(runs, [{ tasks: "*", maxBuildAge: 30 }], NOW)).to.deep.equal(["r2", "r1"]);
    expect(runsToPrune(runs, [{ tasks: "*", maxBuildAge: 30, maxBuildRuns: 100 }], NOW)).to.deep.equal([
      "r2",
      "r1",
    ]);
  });

  it("the first rule whose tasks glob matches one of a run's jobs governs it", () => {
    const runs = [
      run("rel2", 0, ["release-build"]),
      run("t2", 0, ["test"]),
      run("rel1", 1, ["release-build"]),
      run("t1", 1, ["test"]),
    ];
    const rules = [
      { tasks: "release-*", maxBuildRuns: 10 },
      { tasks: "*", maxBuildRuns: 1 },
    ];
    expect(runsToPrune(runs, rules, NOW)).to.deep.equal(["t1"]);
  });

  it("never prunes a running run, nor runs no rule matches", () => {
    const runs = [run("going", 100, [], "running"), run("lint", 100, ["lint"])];
    expect(runsToPrune(runs, [{ tasks: "build-*", maxBuildAge: 1 }], NOW)).to.deep.equal([]);
    expect(runsToPrune(runs, [{ tasks: "*", maxBuildAge: 1 }], NOW)).to.deep.equal(["lint"]);
    expect(runsToPrune(runs, [], NOW)).to.deep.equal([]);
  });
});
