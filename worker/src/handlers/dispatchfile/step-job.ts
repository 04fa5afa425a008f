/** One Dispatchfile step → the JobSpec of the container that runs it. */
import type { JobMount, JobSpec } from "@bosun/core";
import type { Step } from "@bosun/dispatchfile";
import { StepRefusedError, substitute, type Variables } from "./variables.js";

export const WORKSPACE = "/workspace";

export interface StepJobInput {
  task: string;
  step: Step;
  /** Unique within the run (see jobName). */
  jobName: string;
  variables: Variables;
  /** The project's secrets, for `valueFrom.secretKeyRef`. */
  secrets: Readonly<Record<string, string>>;
  /** Mounted at /workspace, shared by the task's steps. */
  workspace: string;
  mounts: readonly JobMount[];
  timeoutMs?: number;
}

/** Throws StepRefusedError when the step cannot run as written. */
export function stepJob(input: StepJobInput): JobSpec {
  const { task, step, variables } = input;
  const where = (field: string) => `${field} of step "${step.name}" of task "${task}"`;
  const sub = (text: string, field: string) => substitute(text, variables, where(field));
  const env: Record<string, string> = {};
  const secretValues: string[] = [];
  for (const variable of step.env) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      const value = input.secrets[`${ref.name}/${ref.key}`] ?? input.secrets[ref.key];
      if (value === undefined) {
        throw new StepRefusedError(
          `env ${variable.name} of step "${step.name}" of task "${task}" takes secret "${ref.name}" key "${ref.key}", which the project's secrets do not have (add ${ref.key} or ${ref.name}/${ref.key} to its secrets)`,
        );
      }
      env[variable.name] = value;
      secretValues.push(value);
    } else {
      env[variable.name] = sub(variable.value ?? "", `env ${variable.name}`);
    }
  }
  const spec: JobSpec = {
    name: input.jobName,
    image: sub(step.image, "image"),
    tasks: [],
    env,
    workingDir: step.workingDir === undefined ? WORKSPACE : sub(step.workingDir, "workingDir"),
    mounts: [{ source: input.workspace, target: WORKSPACE }, ...input.mounts],
    labels: { "bosun.dispatchfile.task": task, "bosun.dispatchfile.step": step.name },
  };
  if (secretValues.length > 0) spec.secretValues = secretValues;
  if (input.timeoutMs !== undefined) spec.timeoutMs = input.timeoutMs;
  if (step.script !== undefined) {
    spec.tasks = [sub(step.script, "script")];
    spec.shell = shebangShell(step.script) ?? "/bin/sh";
  } else {
    if (step.command.length > 0) spec.command = step.command.map((c) => sub(c, "command"));
    if (step.args.length > 0) spec.args = step.args.map((a) => sub(a, "args"));
  }
  return spec;
}

/** A script that starts with `#!/bin/bash` (or another shell) runs with that shell. */
function shebangShell(script: string): string | undefined {
  return /^#!\s*(\/\S*\/(?:ba|a|da|k|z)?sh)(?:\s|$)/.exec(script)?.[1];
}

/**
 * `<task>-<step>` as a DNS label (what Kubernetes and Docker names accept), made unique within the
 * run by a numeric suffix.
 */
export function jobName(task: string, step: string, taken: Set<string>): string {
  const base =
    `${task}-${step}`
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-+/, "")
      .slice(0, 58)
      .replace(/(?<!-)-+$/, "") || "step";
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}
