/** The positioned value tree of any format → the Dispatchfile model, with located problems and warnings. */
import type { Dispatchfile } from "../model.js";
import type { Node } from "../tree.js";
import { lowerAction } from "./action.js";
import { defineEntry, type Reader } from "./reader.js";
import { lowerResource } from "./resource.js";
import { lowerTask } from "./task.js";

/** The top-level fields of the schema; CUE evaluates only these. */
export const SCHEMA_FIELDS: ReadonlySet<string> = new Set(["resource", "task", "actions"]);
/** Declared twice, these lists are joined rather than unified (files split their actions). */
export const CONCATENATED_FIELDS: ReadonlySet<string> = new Set(["actions"]);

export function lowerDispatchfile(read: Reader, root: Node): Dispatchfile {
  const dispatchfile: Dispatchfile = { resource: {}, task: {}, actions: [] };
  const top = read.struct(root, [], "a struct with task, resource and actions");
  if (!top) return dispatchfile;
  for (const [name, field] of top.fields) {
    read.locate([name], field.key);
    if (name === "resource") {
      for (const [key, f, p] of read.entries(field.value, [name], "a struct of resources by name")) {
        const resource = lowerResource(read, key, f.value, p);
        if (resource) defineEntry(dispatchfile.resource, key, resource);
      }
    } else if (name === "task") {
      for (const [key, f, p] of read.entries(field.value, [name], "a struct of tasks by name")) {
        const task = lowerTask(read, key, f.value, p);
        if (task) defineEntry(dispatchfile.task, key, task);
      }
    } else if (name === "actions") {
      dispatchfile.actions = read
        .list(field.value, [name], "a list of actions")
        .flatMap(([a, p], i) => lowerAction(read, a, p, i) ?? []);
    } else {
      read.warn(
        field.key,
        [name],
        `top-level field "${name}" is not part of the Dispatchfile schema; ignored`,
      );
    }
  }
  if (!top.fields.has("task"))
    read.problem(
      "DISPATCHFILE_INVALID",
      top.pos,
      [],
      "no tasks",
      'task "<name>": { steps: [...] }',
      "no task field",
    );
  return dispatchfile;
}
