/**
 * A Dispatchfile as Bosun runs it: the same pipeline written in CUE, JSON or YAML gives the same
 * model. Plain data (JSON-serialisable); names keep Dispatch's spelling so a file and its model read
 * alike. Values may hold `$(context.*)`, `$(inputs.*)` and `$(outputs.*)` variables: they are
 * substituted when a task runs, not here.
 */

export interface Dispatchfile {
  /** Resources by name, in file order. */
  resource: Record<string, Resource>;
  /** Tasks by name, in file order. */
  task: Record<string, Task>;
  actions: Action[];
}

export type ResourceType = "git" | "image" | "storage";

export interface Resource {
  type: ResourceType;
  /** `param` or `params` in the file. git: url, revision; image: url, digest; storage: type, location. */
  params: Record<string, string>;
  secrets: ResourceSecret[];
}

/**
 * A Kubernetes secret key exposed to the resource as a field: Dispatch's
 * `secrets: { BOTO_CONFIG: { name, key } }`, or Tekton's list of `{ fieldName, secretName, secretKey }`.
 */
export interface ResourceSecret {
  fieldName: string;
  secretName: string;
  secretKey: string;
}

export interface Task {
  /** Resource names (git inputs are cloned to /workspace/<name>) and task names (run first). */
  inputs: string[];
  /** Resource names this task produces; each resource has at most one producer. */
  outputs: string[];
  /** Task names that run first (Dispatch's older spelling of task inputs). */
  deps: string[];
  /** Containers run in order, sharing the task's workspace. */
  steps: Step[];
  volumes: Volume[];
  /** From `timeout` ("10m", "1h30m"). */
  timeoutMs?: number;
}

export interface Step {
  /** As written, or `step-<n>` (1-based) when the file names none. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint when not empty. */
  command: string[];
  args: string[];
  /** A shell script run instead of command and args (Tekton's `script`). */
  script?: string;
  env: EnvVar[];
  workingDir?: string;
  volumeMounts: VolumeMount[];
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A Kubernetes volume: its name, and the source as written (`emptyDir: {}`, `secret: {...}`, ...). */
export interface Volume {
  name: string;
  source: { [key: string]: JsonValue };
}

export interface Action {
  /** Needed by Dispatch for cron actions; optional otherwise. */
  name?: string;
  /** Tasks to run; the tasks they depend on run too. */
  tasks: string[];
  on: Condition;
}

/**
 * When an action runs. The short git forms (`on: push:`, `tag`, `pull_request`, `release`) are
 * stored under `git`. Only `image.push` is triggered by registry pushes; the others are kept so a
 * file that uses them is read faithfully.
 */
export interface Condition {
  image?: { push: ImagePushCondition };
  git?: GitCondition;
  cron?: { schedule: string; git?: { revision: string } };
}

export interface ImagePushCondition {
  /** Tag globs with `!` negation. Absent or empty: every tag. */
  tags?: string[];
}

export interface GitCondition {
  push?: { branches?: string[]; paths?: string[] };
  tag?: { names?: string[] };
  pull_request?: {
    chatops?: string[];
    paths?: string[];
    sources?: string[];
    targets?: string[];
    branches?: string[];
    labels?: string[];
  };
  release?: { tags?: string[] };
}

export type DispatchfileFormat = "cue" | "json" | "yaml";
