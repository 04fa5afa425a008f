/** The scheduler runs a plan as planTasks made it: a task starts once its prerequisites succeeded. */
import { planTasks, type Dispatchfile, type Task, type TaskPlan } from "@bosun/dispatchfile";
import { expect } from "chai";
import { runInDependencyOrder, type ScheduledOutcome } from "../src/handlers/dispatchfile/scheduler.js";

function plan(tasks: Record<string, string[]>, wanted: string[]): TaskPlan {
  const task = (deps: string[]): Task => ({ inputs: [], outputs: [], deps, steps: [], volumes: [] });
  const model: Dispatchfile = {
    resource: {},
    task: Object.fromEntries(Object.entries(tasks).map(([name, deps]) => [name, task(deps)])),
    actions: [],
  };
  const planned = planTasks(model, wanted);
  if (planned.errors) throw new Error(planned.errors[0]!.message);
  return planned.value;
}

/** Runs the plan; each task settles when the test says, so what runs at once can be seen. */
function schedule(p: TaskPlan, failing: string[] = []) {
  const started: string[] = [];
  const skipped: string[] = [];
  const running = new Map<string, () => void>();
  const done = runInDependencyOrder(
    p,
    {
      run: (task) =>
        new Promise<ScheduledOutcome>((resolve) => {
          started.push(task);
          running.set(task, () =>
            resolve(
              failing.includes(task)
                ? { status: "failed", error: { code: "JOB_FAILED", message: `${task} failed` } }
                : { status: "succeeded" },
            ),
          );
        }),
      skipped: (task, reason) => skipped.push(`${task}: ${reason}`),
    },
    new AbortController().signal,
  );
  const finish = async (task: string) => {
    running.get(task)!();
    running.delete(task);
    await new Promise((r) => setImmediate(r));
  };
  return { started, skipped, running, finish, done };
}

describe("dispatchfile scheduler", () => {
  const diamond = {
    build: [],
    lint: [],
    test: ["build"],
    scan: ["build", "lint"],
    publish: ["test", "scan"],
  };

  it("starts a level's tasks together, and each task once its prerequisites succeeded", async () => {
    const s = schedule(plan(diamond, ["publish"]));
    await new Promise((r) => setImmediate(r));
    expect(s.started).to.deep.equal(["build", "lint"]);
    await s.finish("build");
    expect(s.started).to.deep.equal(["build", "lint", "test"]);
    await s.finish("lint");
    expect(s.started).to.deep.equal(["build", "lint", "test", "scan"]);
    await s.finish("test");
    await s.finish("scan");
    await s.finish("publish");
    expect(await s.done).to.deep.equal({ status: "succeeded" });
    expect(s.skipped).to.deep.equal([]);
  });

  it("after a failure starts nothing more, and says why each task left out was skipped", async () => {
    const s = schedule(plan(diamond, ["publish"]), ["build"]);
    await new Promise((r) => setImmediate(r));
    await s.finish("build");
    await s.finish("lint");
    const outcome = await s.done;
    expect(outcome.status).to.equal("failed");
    expect(outcome.error?.message).to.equal("build failed");
    expect(s.started).to.deep.equal(["build", "lint"]);
    expect(s.skipped).to.deep.equal([
      "test: it depends on build, which did not succeed",
      "scan: it depends on build, which did not succeed",
      "publish: it depends on test, scan, which did not succeed",
    ]);
  });
});
