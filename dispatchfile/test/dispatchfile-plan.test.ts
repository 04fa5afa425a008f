import { expect } from "chai";
import { formatProblems } from "@bosun/core";
import { parseDispatchfile, planImagePush, planTasks, type Dispatchfile, type Task } from "../src/index.js";

/** A model written by hand: the plan must refuse what validation would, without relying on it. */
function model(tasks: Record<string, Partial<Task>>, resources: string[] = []): Dispatchfile {
  return {
    resource: Object.fromEntries(resources.map((r) => [r, { type: "image", params: {}, secrets: [] }])),
    task: Object.fromEntries(
      Object.entries(tasks).map(([name, t]) => [
        name,
        { inputs: [], outputs: [], deps: [], steps: [], volumes: [], ...t },
      ]),
    ),
    actions: [],
  };
}

describe("dispatchfile: the task plan", () => {
  const diamond = model(
    {
      build: { outputs: ["image"] },
      lint: {},
      test: { inputs: ["image"] },
      scan: { inputs: ["image"], deps: ["lint"] },
      publish: { deps: ["test", "scan"] },
    },
    ["image"],
  );

  it("orders every task after its prerequisites, with their levels", () => {
    const r = planTasks(diamond, ["publish"]);
    expect(r.errors).to.equal(undefined);
    expect(r.value!.tasks).to.deep.equal([
      { name: "build", prerequisites: [], level: 0 },
      { name: "test", prerequisites: ["build"], level: 1 },
      { name: "lint", prerequisites: [], level: 0 },
      { name: "scan", prerequisites: ["lint", "build"], level: 1 },
      { name: "publish", prerequisites: ["test", "scan"], level: 2 },
    ]);
  });

  it("plans a task named twice, or reached twice, once; independent tasks keep the order asked", () => {
    const r = planTasks(diamond, ["lint", "test", "lint", "build"]);
    expect(r.value!.tasks.map((t) => t.name)).to.deep.equal(["lint", "build", "test"]);
  });

  it("takes a producer of a task's input resource as a prerequisite, but not the task itself", () => {
    const gitInOut = model({ fetch: { inputs: ["src"], outputs: ["src"] } }, ["src"]);
    expect(planTasks(gitInOut, ["fetch"]).value!.tasks).to.deep.equal([
      { name: "fetch", prerequisites: [], level: 0 },
    ]);
  });

  it("plans nothing for no tasks", () => {
    expect(planTasks(diamond, [])).to.deep.equal({ value: { tasks: [] } });
  });

  it("refuses an unknown task, naming where it was asked for and the tasks there are", () => {
    const r = planTasks(model({ a: {}, b: {} }), ["a", "deploy"]);
    expect(r.errors).to.deep.equal([
      {
        code: "DISPATCHFILE_REFERENCE",
        message: 'unknown task "deploy"',
        path: "tasks[1]",
        expected: 'one of the tasks "a", "b"',
        found: '"deploy"',
      },
    ]);
  });

  it("refuses a dependency cycle with its path, once however it is reached", () => {
    const cyclic = model({ a: { deps: ["b"] }, b: { deps: ["c"] }, c: { deps: ["a"] }, d: { deps: ["b"] } });
    const r = planTasks(cyclic, ["d", "a", "c"]);
    expect(r.value).to.equal(undefined);
    expect(r.errors).to.deep.equal([
      {
        code: "DISPATCHFILE_REFERENCE",
        message: "dependency cycle: b → c → a → b",
        path: "task.b",
        expected: "tasks that do not depend on themselves",
        found: "b → c → a → b",
      },
    ]);
  });

  it("refuses a task that depends on itself", () => {
    const r = planTasks(model({ a: { deps: ["a"] } }), ["a"]);
    expect(r.errors?.map((p) => p.message)).to.deep.equal(["dependency cycle: a → a"]);
  });

  it("is what an image push runs: the matching actions' tasks, planned together", () => {
    const parsed = parseDispatchfile(`
resource "image": { type: "image", param url: "example/app" }
task "package": { outputs: ["image"], steps: [{ image: "busybox" }] }
task "deploy": { inputs: ["image"], deps: ["approve"], steps: [{ image: "busybox" }] }
task "approve": { steps: [{ image: "busybox" }] }
task "notify": { steps: [{ image: "busybox" }] }
actions: [
  { tasks: ["deploy", "notify"], on image push: tags: ["v*"] },
  { tasks: ["notify", "package"], on image push: {} },
]
`);
    if (parsed.errors) throw new Error(formatProblems(parsed.errors));
    const r = planImagePush(parsed.value, { tag: "v2" });
    expect(r.value).to.deep.equal({
      actions: [0, 1],
      plan: {
        tasks: [
          { name: "approve", prerequisites: [], level: 0 },
          { name: "package", prerequisites: [], level: 0 },
          { name: "deploy", prerequisites: ["approve", "package"], level: 1 },
          { name: "notify", prerequisites: [], level: 0 },
        ],
      },
    });
    expect(
      planImagePush(parsed.value, { tag: "nightly" }).value?.plan.tasks.map((t) => t.name),
    ).to.deep.equal(["notify", "package"]);
  });
});
