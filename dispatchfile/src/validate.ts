/**
 * References between the parts of a Dispatchfile, checked before anything runs: actions name tasks
 * that exist, tasks name resources and tasks that exist, each resource has at most one producer,
 * and no task depends on itself.
 */
import { formatPath, type PathSegment } from "@bosun/core";
import type { Dispatchfile } from "./model.js";
import { findCycles, taskPrerequisites } from "./graph.js";
import type { Reader } from "./lower/reader.js";

export function validateReferences(dispatchfile: Dispatchfile, read: Reader): void {
  const { task: tasks, resource: resources } = dispatchfile;
  const report = (path: PathSegment[], message: string, expected: string, found: string) => {
    const pos = read.locations.get(formatPath(path)) ?? { line: 1, column: 1 };
    read.problem("DISPATCHFILE_REFERENCE", pos, path, message, expected, found);
  };
  const taskNames = Object.keys(tasks);
  const knownTasks =
    taskNames.length > 0
      ? `one of the tasks ${taskNames.map((t) => `"${t}"`).join(", ")}`
      : "a task defined under task";

  dispatchfile.actions.forEach((action, i) =>
    action.tasks.forEach((name, j) => {
      if (!Object.hasOwn(tasks, name))
        report(["actions", i, "tasks", j], `unknown task "${name}"`, knownTasks, JSON.stringify(name));
    }),
  );

  const producer = new Map<string, string>();
  for (const [name, task] of Object.entries(tasks)) {
    task.inputs.forEach((input, j) => {
      if (!Object.hasOwn(resources, input) && !Object.hasOwn(tasks, input))
        report(
          ["task", name, "inputs", j],
          `unknown resource or task "${input}"`,
          "a resource or task defined in this file",
          JSON.stringify(input),
        );
    });
    task.outputs.forEach((output, j) => {
      if (!Object.hasOwn(resources, output)) {
        report(
          ["task", name, "outputs", j],
          `unknown resource "${output}"`,
          "a resource defined under resource",
          JSON.stringify(output),
        );
        return;
      }
      const other = producer.get(output);
      if (other !== undefined)
        report(
          ["task", name, "outputs", j],
          `resource "${output}" is output by both "${other}" and "${name}"`,
          "at most one task per output resource",
          JSON.stringify(name),
        );
      else producer.set(output, name);
    });
    task.deps.forEach((dep, j) => {
      if (!Object.hasOwn(tasks, dep))
        report(["task", name, "deps", j], `unknown task "${dep}"`, knownTasks, JSON.stringify(dep));
    });
  }

  for (const cycle of findCycles(taskPrerequisites(dispatchfile))) {
    report(
      ["task", cycle[0]!],
      `dependency cycle: ${cycle.join(" → ")}`,
      "tasks that do not depend on themselves",
      cycle.join(" → "),
    );
  }
}
