/** `task: { name: {...} }` → Task: inputs, outputs, deps, steps (containers), volumes, timeout. */
import type { EnvVar, Step, Task, Volume, VolumeMount } from "../model.js";
import type { Node } from "../tree.js";
import { toJson, type Path, type Reader } from "./reader.js";

const NAMES = "a list of resource or task names";
/** Kubernetes container fields a step may carry that Bosun's executors do not apply. */
const CONTAINER_FIELDS_IGNORED = [
  "resources",
  "securityContext",
  "imagePullPolicy",
  "ports",
  "envFrom",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "stdin",
  "stdinOnce",
  "tty",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "volumeDevices",
];

export function lowerTask(read: Reader, name: string, node: Node, path: Path): Task | undefined {
  const struct = read.struct(node, path, "a task: { steps: [...] }");
  if (!struct) return undefined;
  const task: Task = { inputs: [], outputs: [], deps: [], steps: [], volumes: [] };
  let sawSteps = false;
  read.fields(
    struct,
    path,
    {
      inputs: (v, p) => (task.inputs = read.stringList(v, p, NAMES) ?? []),
      outputs: (v, p) => (task.outputs = read.stringList(v, p, "a list of resource names") ?? []),
      deps: (v, p) => (task.deps = read.stringList(v, p, "a list of task names") ?? []),
      steps: (v, p) => {
        sawSteps = true;
        task.steps = read
          .list(v, p, "a list of steps")
          .flatMap(([s, sp], i) => lowerStep(read, name, s, sp, i) ?? []);
        if (v.kind === "list" && v.items.length === 0)
          read.problem("DISPATCHFILE_INVALID", v.pos, p, `task "${name}" has no steps`, "at least one step");
        // Steps become containers of one pod (or jobs of one run): their names must differ.
        const seen = new Set<string>();
        task.steps.forEach((step, i) => {
          if (seen.has(step.name))
            read.problem(
              "DISPATCHFILE_INVALID",
              v.kind === "list" ? v.items[i]!.pos : v.pos,
              [...p, i],
              `duplicate step name "${step.name}" in task "${name}"`,
              "a name not used by another step of the task",
              JSON.stringify(step.name),
            );
          seen.add(step.name);
        });
      },
      volumes: (v, p) =>
        (task.volumes = read
          .list(v, p, "a list of volumes")
          .flatMap(([n, vp]) => lowerVolume(read, n, vp) ?? [])),
      timeout: (v, p) => {
        const text = read.string(v, p, 'a duration such as "10m" or "1h30m"');
        if (text === undefined) return;
        const ms = parseGoDuration(text);
        if (ms === undefined)
          read.problem(
            "DISPATCHFILE_INVALID",
            v.pos,
            p,
            "invalid duration",
            'a duration such as "10m" or "1h30m"',
            JSON.stringify(text),
          );
        else task.timeoutMs = ms;
      },
    },
    ["metadata"],
  );
  if (!sawSteps)
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.pos,
      path,
      `task "${name}" has no steps`,
      "steps: [{ name, image, ... }]",
    );
  return task;
}

function lowerStep(read: Reader, task: string, node: Node, path: Path, index: number): Step | undefined {
  const struct = read.struct(node, path, "a step: { name, image, command, ... }");
  if (!struct) return undefined;
  const step: Step = {
    name: `step-${index + 1}`,
    image: "",
    command: [],
    args: [],
    env: [],
    volumeMounts: [],
  };
  read.fields(
    struct,
    path,
    {
      name: (v, p) => (step.name = read.string(v, p) ?? step.name),
      image: (v, p) => (step.image = read.string(v, p, 'a container image such as "busybox"') ?? ""),
      command: (v, p) => (step.command = read.stringList(v, p, "a list of strings") ?? []),
      args: (v, p) => (step.args = read.stringList(v, p, "a list of strings") ?? []),
      script: (v, p) => {
        const script = read.string(v, p);
        if (script !== undefined) step.script = script;
      },
      env: (v, p) =>
        (step.env = read
          .list(v, p, "a list of { name, value }")
          .flatMap(([e, ep]) => lowerEnv(read, e, ep) ?? [])),
      workingDir: (v, p) => {
        const dir = read.string(v, p, "a directory path");
        if (dir !== undefined) step.workingDir = dir;
      },
      volumeMounts: (v, p) =>
        (step.volumeMounts = read
          .list(v, p, "a list of { name, mountPath }")
          .flatMap(([m, mp]) => lowerMount(read, m, mp) ?? [])),
    },
    CONTAINER_FIELDS_IGNORED,
  );
  if (!struct.fields.has("image")) {
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.pos,
      path,
      `step "${step.name}" of task "${task}" has no image`,
      'image: "<container image>"',
    );
  } else if (struct.fields.get("image")!.value.kind === "string" && step.image.trim() === "") {
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.fields.get("image")!.value.pos,
      [...path, "image"],
      `step "${step.name}" of task "${task}" has an empty image`,
      "a container image",
      '""',
    );
  }
  return step;
}

function lowerEnv(read: Reader, node: Node, path: Path): EnvVar | undefined {
  const struct = read.struct(node, path, "{ name, value }");
  if (!struct) return undefined;
  const env: EnvVar = { name: "" };
  read.fields(struct, path, {
    name: (v, p) => (env.name = read.string(v, p) ?? ""),
    value: (v, p) => {
      const value = read.string(v, p, "a string (quote numbers and booleans)");
      if (value !== undefined) env.value = value;
    },
    valueFrom: (v, p) => {
      const ref = read.struct(v, p, "{ secretKeyRef: { name, key } }")?.fields.get("secretKeyRef");
      const fields = ref && read.struct(ref.value, [...p, "secretKeyRef"], "{ name, key }")?.fields;
      const name = fields?.get("name")?.value;
      const key = fields?.get("key")?.value;
      if (name?.kind === "string" && key?.kind === "string")
        env.valueFrom = { secretKeyRef: { name: name.value, key: key.value } };
      else
        read.problem(
          "DISPATCHFILE_INVALID",
          v.pos,
          p,
          "unsupported valueFrom",
          "{ secretKeyRef: { name, key } }",
        );
    },
  });
  if (!struct.fields.has("name"))
    read.problem(
      "DISPATCHFILE_INVALID",
      struct.pos,
      path,
      "environment variable without a name",
      "name: ...",
    );
  return env;
}

function lowerMount(read: Reader, node: Node, path: Path): VolumeMount | undefined {
  const struct = read.struct(node, path, "{ name, mountPath }");
  if (!struct) return undefined;
  const mount: VolumeMount = { name: "", mountPath: "" };
  read.fields(struct, path, {
    name: (v, p) => (mount.name = read.string(v, p) ?? ""),
    mountPath: (v, p) => (mount.mountPath = read.string(v, p) ?? ""),
    readOnly: (v, p) => {
      const b = read.bool(v, p);
      if (b !== undefined) mount.readOnly = b;
    },
    subPath: (v, p) => {
      const s = read.string(v, p);
      if (s !== undefined) mount.subPath = s;
    },
  });
  for (const required of ["name", "mountPath"])
    if (!struct.fields.has(required))
      read.problem(
        "DISPATCHFILE_INVALID",
        struct.pos,
        path,
        `volume mount without ${required}`,
        `${required}: ...`,
      );
  return mount;
}

function lowerVolume(read: Reader, node: Node, path: Path): Volume | undefined {
  const struct = read.struct(node, path, "{ name, emptyDir: {} } or another Kubernetes volume");
  if (!struct) return undefined;
  const name = struct.fields.get("name");
  const nameText = name
    ? read.string(name.value, [...path, "name"])
    : read.problem("DISPATCHFILE_INVALID", struct.pos, path, "volume without a name", "name: ...");
  const source = Object.fromEntries(
    [...struct.fields].filter(([k]) => k !== "name").map(([k, f]) => [k, toJson(f.value)]),
  );
  return nameText === undefined ? undefined : { name: nameText, source };
}

const GO_DURATION = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** Go's duration syntax, as Dispatch (and Tekton) read `timeout`: "90s", "10m", "1h30m". */
export function parseGoDuration(text: string): number | undefined {
  if (text === "" || text === "0") return text === "0" ? 0 : undefined;
  let total = 0;
  GO_DURATION.lastIndex = 0;
  while (GO_DURATION.lastIndex < text.length) {
    const m = GO_DURATION.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Math.round(total);
}
