/**
 * JobSpec → the body of `POST /containers/create`. Pure, so the mapping can be read and tested
 * without an engine. Policy (may this job be privileged, which mounts are allowed) is decided before
 * a spec reaches an executor; here it is passed through as given.
 */
import type { JobMount, JobSpec } from "@bosun/core";
import { randomBytes } from "node:crypto";
import { hostLimits } from "./resources.js";

export const MANAGED_LABEL = "bosun.managed";

export interface ContainerConfigOptions {
  /** HostConfig.NetworkMode, e.g. "bridge", "host", "none"; the engine's default when absent. */
  network?: string;
  /** The engine's API socket, mounted at /var/run/docker.sock for jobs that ask (spec.dockerSocket). */
  engineSocket?: string;
  /**
   * The engine behind the socket. Bind mounts are made `nosuid,nodev` so that a setuid binary or a
   * device node a job leaves in a cache or workspace gives nothing to the jobs after it. Podman's
   * compatible API takes those options in `Binds`; Docker's API has no way to ask for them, so there
   * jobs with mounts run with `no-new-privileges` instead (setuid bits are ignored on exec).
   */
  engine?: "podman" | "docker";
}

export function containerConfig(
  spec: JobSpec,
  options: ContainerConfigOptions = {},
): Record<string, unknown> {
  const command: { Entrypoint?: string[]; Cmd?: string[] } = {};
  if (spec.tasks.length > 0) {
    // The shell replaces the image's entrypoint; `-e` stops at the first failing task.
    command.Entrypoint = [spec.shell ?? "/bin/sh"];
    command.Cmd = ["-e", "-c", spec.tasks.join("\n")];
  } else if (spec.command && spec.command.length > 0) {
    // As Kubernetes' `command`: the entrypoint is replaced and the image's own Cmd is not used.
    command.Entrypoint = [...spec.command];
    command.Cmd = [...(spec.args ?? [])];
  } else if (spec.args && spec.args.length > 0) {
    // No tasks: the image's own entrypoint, with the job's arguments as its command.
    command.Cmd = [...spec.args];
  }
  const mounts = [...(spec.mounts ?? [])];
  if (spec.dockerSocket && options.engineSocket) {
    mounts.push({ source: options.engineSocket, target: "/var/run/docker.sock" });
  }
  const hostConfig: Record<string, unknown> = {
    ...hostLimits(spec.resourceLimits),
    Privileged: spec.privileged === true,
    ...bindMounts(mounts, options.engine ?? "docker"),
  };
  if (options.network) hostConfig.NetworkMode = options.network;
  return {
    Image: spec.image,
    ...command,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
    Labels: { ...spec.labels, [MANAGED_LABEL]: "true" },
    // No TTY: stdout and stderr stay apart (multiplexed) and output is not rewritten by a terminal.
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: hostConfig,
  };
}

/** `Binds` with nosuid,nodev where the engine takes them, else `Mounts` and no-new-privileges. */
function bindMounts(mounts: JobMount[], engine: "podman" | "docker"): Record<string, unknown> {
  // A colon in a path cannot be written in a `Binds` entry ("source:target:options").
  if (engine === "podman" && !mounts.some((m) => m.source.includes(":") || m.target.includes(":"))) {
    const binds = mounts.map((m) => `${m.source}:${m.target}:${m.readOnly ? "ro" : "rw"},nosuid,nodev`);
    return { Binds: binds, Mounts: [] };
  }
  return {
    Mounts: mounts.map((m) => ({
      Type: "bind",
      Source: m.source,
      Target: m.target,
      ReadOnly: m.readOnly === true,
    })),
    ...(mounts.length > 0 ? { SecurityOpt: ["no-new-privileges"] } : {}),
  };
}

/** A readable, unique container name: "bosun-<job name>-<random>". */
export function containerName(spec: JobSpec): string {
  const slug = spec.name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 40);
  return `bosun-${slug || "job"}-${randomBytes(4).toString("hex")}`;
}
