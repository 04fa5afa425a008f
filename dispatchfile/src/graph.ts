/** Which tasks must finish before a task starts (the plan, plan.ts, orders them), and cycles among them. */
import type { Dispatchfile } from "./model.js";

/**
 * Each task's prerequisites, in the order the file names them: its `deps`, its `inputs` that name
 * tasks, and the producers of the resources among its `inputs`. Names that do not exist are left
 * out (validation reports them).
 */
export function taskPrerequisites(dispatchfile: Dispatchfile): Map<string, string[]> {
  const { task: tasks, resource: resources } = dispatchfile;
  const producer = new Map<string, string>();
  for (const [name, task] of Object.entries(tasks))
    for (const output of task.outputs) if (!producer.has(output)) producer.set(output, name);
  const graph = new Map<string, string[]>();
  for (const [name, task] of Object.entries(tasks)) {
    const before = new Set<string>();
    for (const dep of task.deps) if (Object.hasOwn(tasks, dep)) before.add(dep);
    for (const input of task.inputs) {
      if (Object.hasOwn(tasks, input)) before.add(input);
      const made = Object.hasOwn(resources, input) ? producer.get(input) : undefined;
      // A task may take in the resource it puts out (git in, git out): that is no dependency.
      if (made !== undefined && made !== name) before.add(made);
    }
    graph.set(name, [...before]);
  }
  return graph;
}

/** Every dependency cycle, each as the tasks along it with the first repeated at the end. */
export function findCycles(prerequisites: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, "visiting");
    stack.push(name);
    for (const before of prerequisites.get(name) ?? []) {
      const s = state.get(before);
      if (s === "visiting") cycles.push([...stack.slice(stack.indexOf(before)), before]);
      else if (s === undefined) visit(before);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of prerequisites.keys()) if (!state.has(name)) visit(name);
  return cycles;
}
