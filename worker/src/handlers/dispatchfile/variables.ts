/**
 * Dispatch's `$(...)` variables. Only names under `context.`, `inputs.` and `outputs.` are
 * variables: anything else, like a shell's `$(date)` in a script, is left as written (as Tekton
 * does). A variable under those prefixes that is not defined refuses the step, naming it.
 */
import type { ImageRef } from "@bosun/core";
import type { Dispatchfile } from "@bosun/dispatchfile";
import type { GitCheckout } from "./git.js";

export type Variables = ReadonlyMap<string, string>;

/** A step that cannot be started as written (unknown variable, missing secret). */
export class StepRefusedError extends Error {}

const VARIABLE = /\$\(\s*((?:context|inputs|outputs)\.[^()\s]*)\s*\)/g;

export function substitute(text: string, variables: Variables, where: string): string {
  return text.replace(VARIABLE, (_, name: string) => {
    const value = variables.get(name);
    if (value === undefined) throw new StepRefusedError(`unknown variable $(${name}) in ${where}`);
    return value;
  });
}

export interface RunFacts {
  runId: string;
  image: ImageRef;
  /** The Dispatchfile's own git source, when it was read from git. */
  git?: { url: string; checkout: GitCheckout };
}

/** `$(context.*)`: the same for every task of the run. */
export function contextVariables({ runId, image, git }: RunFacts): Map<string, string> {
  return new Map([
    ["context.build.name", runId],
    ["context.image.repository", image.repository],
    ["context.image.tag", image.tag ?? ""],
    ["context.image.digest", image.digest ?? ""],
    ["context.image.ref", image.ref],
    ["context.git.url", git?.url ?? ""],
    ["context.git.commit", git?.checkout.commit ?? ""],
    ["context.git.branch", git?.checkout.branch ?? ""],
    ["context.git.tag", git?.checkout.tag ?? ""],
  ]);
}

/**
 * Resource params with their `$(context.*)` variables substituted (Dispatch files write
 * `param revision: "$(context.git.commit)"`), and `path` for git resources.
 */
export function resourceParams(
  dispatchfile: Dispatchfile,
  name: string,
  context: Variables,
): Record<string, string> | undefined {
  const resource = dispatchfile.resource[name];
  if (!resource) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(resource.params)) {
    params[key] = substitute(value, context, `param ${key} of resource "${name}"`);
  }
  if (resource.type === "git") params.path = `/workspace/${name}`;
  return params;
}

/**
 * Everything a task's steps may use: the context, its input and output resources' params, and the
 * output of the steps of the tasks it depends on (`$(inputs.tasks.TASK.STEP)`).
 */
export function taskVariables(
  dispatchfile: Dispatchfile,
  taskName: string,
  context: Variables,
  stepOutputs: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Map<string, string> {
  const task = dispatchfile.task[taskName];
  const variables = new Map(context);
  const addResources = (kind: "inputs" | "outputs", names: readonly string[]) => {
    for (const name of names) {
      const params = resourceParams(dispatchfile, name, context);
      for (const [key, value] of Object.entries(params ?? {}))
        variables.set(`${kind}.resources.${name}.${key}`, value);
    }
  };
  addResources("inputs", task?.inputs ?? []);
  addResources("outputs", task?.outputs ?? []);
  for (const [before, steps] of stepOutputs) {
    for (const [step, output] of steps) variables.set(`inputs.tasks.${before}.${step}`, output);
  }
  return variables;
}
