/**
 * The plan of a Dispatchfile run: which tasks start, in what order, and what each waits for. Made
 * once, here; `bosun dispatchfile match` prints it, and the worker's handler and scheduler run it.
 */
import { formatPath, type Problem, type Result } from "@bosun/core";
import { taskPrerequisites } from "./graph.js";
import type { Dispatchfile } from "./model.js";

export interface PlannedTask {
  name: string;
  /** The tasks that must succeed before this one starts (all in the plan, before it), in file order. */
  prerequisites: string[];
  /** 0 without prerequisites, else one more than its deepest prerequisite: tasks of a level may run at once. */
  level: number;
}

export interface TaskPlan {
  /** The wanted tasks and everything they depend on, each once, every task after its prerequisites. */
  tasks: PlannedTask[];
}

/**
 * Plans the `wanted` tasks (an action's, or several actions' in turn). Independent tasks keep the
 * order they are asked for. Refuses a name that is no task, and a dependency cycle, with its path.
 */
export function planTasks(dispatchfile: Dispatchfile, wanted: readonly string[]): Result<TaskPlan> {
  const graph = taskPrerequisites(dispatchfile);
  const errors: Problem[] = [];
  const names = [...graph.keys()];
  wanted.forEach((name, i) => {
    if (!graph.has(name)) errors.push(unknownTask(name, i, names));
  });

  const planned = new Map<string, PlannedTask>();
  /** On or after a cycle: reported once, never planned. */
  const refused = new Set<string>();
  const visiting: string[] = [];
  const visit = (name: string): void => {
    if (planned.has(name) || refused.has(name)) return;
    const at = visiting.indexOf(name);
    if (at >= 0) {
      errors.push(cycle([...visiting.slice(at), name]));
      return;
    }
    visiting.push(name);
    const prerequisites = graph.get(name) ?? [];
    for (const before of prerequisites) visit(before);
    visiting.pop();
    if (!prerequisites.every((t) => planned.has(t))) {
      refused.add(name);
      return;
    }
    const level = levelAfter(prerequisites.map((t) => planned.get(t)!.level));
    planned.set(name, { name, prerequisites: [...prerequisites], level });
  };
  for (const name of wanted) if (graph.has(name)) visit(name);
  return errors.length > 0 ? { errors } : { value: { tasks: [...planned.values()] } };
}

function levelAfter(levels: readonly number[]): number {
  return levels.length === 0 ? 0 : Math.max(...levels) + 1;
}

function unknownTask(name: string, index: number, known: readonly string[]): Problem {
  return {
    code: "DISPATCHFILE_REFERENCE",
    message: `unknown task "${name}"`,
    path: formatPath(["tasks", index]),
    expected:
      known.length > 0
        ? `one of the tasks ${known.map((t) => `"${t}"`).join(", ")}`
        : "a task defined under task",
    found: JSON.stringify(name),
  };
}

function cycle(path: readonly string[]): Problem {
  const shown = path.join(" → ");
  return {
    code: "DISPATCHFILE_REFERENCE",
    message: `dependency cycle: ${shown}`,
    path: formatPath(["task", path[0]!]),
    expected: "tasks that do not depend on themselves",
    found: shown,
  };
}
