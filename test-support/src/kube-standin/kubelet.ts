/**
 * The stand-in's one node: runs each Pod's container for real on Podman (Docker Engine API), as a
 * kubelet would, and writes back the status a kubelet reports: Pending (ContainerCreating, or why it
 * waits: CreateContainerConfigError, ErrImagePull/ImagePullBackOff, ErrImageNeverPull) → Running →
 * Succeeded/Failed with the container's exit code and reason (Completed, Error, OOMKilled), or Failed
 * with reason DeadlineExceeded past `activeDeadlineSeconds`. Keeps the container's stdout and stderr
 * as one log, as the CRI log file does (each stream in its order, the two as they were read), from
 * the container's attach stream, demultiplexed; the log can be followed as it grows, until the
 * container has exited (as the kubelet follows its log file). Removes the container when the Pod goes.
 *
 * Native sidecars (init containers with `restartPolicy: Always`) are started first, in order, the
 * first on the default network and every later container of the pod (the main one too) in its
 * network namespace, so they reach each other on 127.0.0.1 as in a pod; they are reported in
 * `initContainerStatuses`, and stopped (SIGTERM, then SIGKILL after the grace period) once the main
 * container has exited; the pod's phase is the main container's. A sidecar that cannot be created
 * or started fails the pod (a kubelet would keep it Pending and retry): only tests of sidecars that
 * start are served.
 */
import { parseImageRef, StreamDemuxer, type DockerClient } from "@bosun/executors";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { StandinObject } from "./selectors.js";
import type { Store } from "./store.js";

/** On every container the stand-in creates, with the stand-in's id as value. */
export const STANDIN_LABEL = "bosun.test/kube-standin";
export const NODE_NAME = "kube-standin";

export interface KubeletOptions {
  client: DockerClient;
  store: Store;
  /** Where claims (`claims/<namespace>/<claim>`) and emptyDirs live. */
  root: string;
  instance: string;
  /** The most a graceful stop waits before SIGKILL (terminationGracePeriodSeconds is 30 by default). */
  maxGraceMs: number;
  /** First pause after a failed pull or a missing Secret; doubles up to 8 times that. */
  backoffMs: number;
}

type Obj = Record<string, unknown>;
interface Container extends Obj {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  imagePullPolicy?: string;
  env?: { name: string; value?: string; valueFrom?: Obj }[];
  envFrom?: { prefix?: string; secretRef?: { name: string; optional?: boolean }; configMapRef?: Obj }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  securityContext?: { privileged?: boolean };
}
interface Volume extends Obj {
  name: string;
  hostPath?: { path: string; type?: string };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: Obj;
}

/** Why a container cannot start yet: shown as its waiting reason; `final` ones are not retried. */
class Waiting extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly final = false,
  ) {
    super(message);
  }
}

interface PodRun {
  namespace: string;
  name: string;
  uid: string;
  container: Container;
  /** Native sidecars, each with its container once created. */
  sidecars: { container: Container; id?: string; startedAt?: string }[];
  stop: AbortController;
  why?: "DeadlineExceeded" | "Deleted";
  containerId?: string;
  startedAt?: string;
  log: Buffer[];
  /** The container has exited (or will never run) and its log is complete. */
  logEnded: boolean;
  followers: Set<LogFollower>;
  timers: NodeJS.Timeout[];
  finished: Promise<void>;
  active: boolean;
}

/** Someone following a pod's log: each new piece, then the end. */
export interface LogFollower {
  write(chunk: Buffer): void;
  end(): void;
}

export class Kubelet {
  private readonly runs = new Map<string, PodRun>();

  constructor(private readonly o: KubeletOptions) {}

  /** Starts a newly created pod. */
  start(pod: StandinObject): void {
    const spec = pod.spec as { containers: Container[]; initContainers?: Container[] };
    const run: PodRun = {
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: String(pod.metadata.uid),
      container: spec.containers[0] as Container,
      sidecars: (spec.initContainers ?? []).map((container) => ({ container })),
      stop: new AbortController(),
      log: [],
      logEnded: false,
      followers: new Set(),
      timers: [],
      finished: Promise.resolve(),
      active: true,
    };
    this.runs.set(run.uid, run);
    run.finished = this.runPod(pod, run)
      .catch((err: unknown) => this.failed(run, err))
      .finally(() => {
        run.active = false;
        run.timers.forEach(clearTimeout);
        this.endLog(run);
      });
  }

  /** Whether the pod's container may still be running (or about to). */
  isActive(uid: string): boolean {
    return this.runs.get(uid)?.active === true;
  }

  /** The log so far; undefined while the container has not started (or for an unknown pod). */
  log(uid: string): Buffer | undefined {
    const run = this.runs.get(uid);
    return run?.startedAt ? Buffer.concat(run.log) : undefined;
  }

  /**
   * Follows the log: what there is so far, then each piece as the container writes it, then the end
   * once the container has exited (at once when it already has). Undefined while the container has
   * not started; otherwise a function that stops following.
   */
  followLog(uid: string, follower: LogFollower): (() => void) | undefined {
    const run = this.runs.get(uid);
    if (!run?.startedAt) return undefined;
    if (run.log.length > 0) follower.write(Buffer.concat(run.log));
    if (run.logEnded) {
      follower.end();
      return () => undefined;
    }
    run.followers.add(follower);
    return () => run.followers.delete(follower);
  }

  waitingReason(uid: string): string {
    return this.runs.get(uid)?.containerId ? "ContainerCreating" : "PodInitializing";
  }

  /** Stops the pod's container (SIGTERM, SIGKILL after the grace period) and waits until it has. */
  async terminate(uid: string, graceSeconds: number): Promise<void> {
    const run = this.runs.get(uid);
    if (!run) return;
    run.why ??= "Deleted";
    this.kill(run, graceSeconds * 1000);
    await run.finished;
  }

  /** Removes what the pod left on the node: its container and emptyDirs. */
  async cleanup(uid: string): Promise<void> {
    const run = this.runs.get(uid);
    if (!run) return;
    run.stop.abort();
    await run.finished;
    if (run.containerId) await this.o.client.removeContainer(run.containerId);
    // Last first: the first sidecar holds the network the others joined.
    for (const sidecar of [...run.sidecars].reverse()) {
      if (sidecar.id) await this.o.client.removeContainer(sidecar.id);
    }
    rmSync(join(this.o.root, "pods", uid), { recursive: true, force: true });
    this.endLog(run);
    this.runs.delete(uid);
  }

  private kill(run: PodRun, graceMs: number): void {
    if (!run.startedAt || !run.containerId) {
      run.stop.abort();
      return;
    }
    const id = run.containerId;
    const hard = () => this.o.client.killContainer(id, "SIGKILL").catch(() => undefined);
    const grace = Math.min(graceMs, this.o.maxGraceMs);
    if (grace <= 0) void hard();
    else {
      this.o.client.killContainer(id, "SIGTERM").catch(() => undefined);
      run.timers.push(setTimeout(() => void hard(), grace));
    }
  }

  /** Writes the pod's status, unless the pod is gone (or was replaced by one of the same name). */
  private setStatus(run: PodRun, change: (pod: StandinObject, status: Obj) => void): void {
    this.o.store.update("pods", run.namespace, run.name, (pod) => {
      if (pod.metadata.uid !== run.uid) return false;
      pod.status ??= {};
      change(pod, pod.status);
    });
  }

  private containerStatus(run: PodRun, state: Obj, ready = false): Obj {
    return {
      name: run.container.name,
      image: run.container.image,
      imageID: "",
      ...(run.containerId ? { containerID: `docker://${run.containerId}` } : {}),
      ready,
      started: state.running !== undefined,
      restartCount: 0,
      state,
    };
  }

  /** The sidecars as a kubelet reports them: running (and ready) while started, then terminated. */
  private sidecarStatuses(run: PodRun, finishedAt?: string): Obj[] {
    return run.sidecars.map((s) => ({
      name: s.container.name,
      image: s.container.image,
      imageID: "",
      ...(s.id ? { containerID: `docker://${s.id}` } : {}),
      ready: s.startedAt !== undefined && finishedAt === undefined,
      started: s.startedAt !== undefined && finishedAt === undefined,
      restartCount: 0,
      state: !s.startedAt
        ? { waiting: { reason: "PodInitializing" } }
        : finishedAt
          ? { terminated: { exitCode: 0, reason: "Completed", startedAt: s.startedAt, finishedAt } }
          : { running: { startedAt: s.startedAt } },
    }));
  }

  /** Creates and starts the sidecars, in order; the first one's network is the pod's. */
  private async startSidecars(pod: StandinObject, run: PodRun): Promise<string | undefined> {
    let network: string | undefined;
    for (const sidecar of run.sidecars) {
      sidecar.id = await this.createContainer(pod, run, sidecar.container, network);
      await this.o.client.startContainer(sidecar.id);
      sidecar.startedAt = new Date().toISOString();
      network ??= `container:${sidecar.id}`;
    }
    if (run.sidecars.length > 0)
      this.setStatus(run, (_, status) => (status.initContainerStatuses = this.sidecarStatuses(run)));
    return network;
  }

  /** After the main container: each sidecar gets SIGTERM, SIGKILL after the grace period. */
  private async stopSidecars(pod: StandinObject, run: PodRun): Promise<void> {
    const grace = Math.min(this.graceMs(pod), this.o.maxGraceMs);
    await Promise.all(
      run.sidecars.map(async ({ id }) => {
        if (!id) return;
        await this.o.client.killContainer(id, grace > 0 ? "SIGTERM" : "SIGKILL").catch(() => undefined);
        for (const until = Date.now() + grace; Date.now() < until; await sleep(50)) {
          const state = await this.o.client.containerState(id).catch(() => undefined);
          if (!state?.Running) return;
        }
        await this.o.client.killContainer(id, "SIGKILL").catch(() => undefined);
      }),
    );
  }

  private async runPod(pod: StandinObject, run: PodRun): Promise<void> {
    const now = new Date().toISOString();
    this.setStatus(run, (p, status) => {
      (p.spec as Obj).nodeName = NODE_NAME;
      Object.assign(status, {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now }],
        hostIP: "127.0.0.1",
        startTime: now,
        qosClass: "BestEffort",
        containerStatuses: [this.containerStatus(run, { waiting: { reason: "ContainerCreating" } })],
        ...(run.sidecars.length > 0 ? { initContainerStatuses: this.sidecarStatuses(run) } : {}),
      });
    });
    const deadline = (pod.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds;
    if (deadline) {
      run.timers.push(
        setTimeout(() => {
          run.why ??= "DeadlineExceeded";
          this.kill(run, this.graceMs(pod));
        }, deadline * 1000),
      );
    }

    const network = await this.startSidecars(pod, run);
    for (let attempt = 0; !run.containerId; attempt++) {
      if (run.stop.signal.aborted) return this.endUnstarted(run);
      try {
        run.containerId = await this.createContainer(pod, run, run.container, network);
      } catch (err) {
        if (!(err instanceof Waiting)) throw err;
        const waiting = (reason: string) => (_: StandinObject, status: Obj) => {
          status.containerStatuses = [
            this.containerStatus(run, { waiting: { reason, message: err.message } }),
          ];
        };
        this.setStatus(run, waiting(err.reason));
        if (err.final) {
          if (!run.stop.signal.aborted) {
            await new Promise((resolve) =>
              run.stop.signal.addEventListener("abort", resolve, { once: true }),
            );
          }
          continue;
        }
        const pause = this.o.backoffMs * 2 ** Math.min(attempt, 3);
        await sleep(pause / 2, undefined, { signal: run.stop.signal }).catch(() => undefined);
        if (err.reason === "ErrImagePull") this.setStatus(run, waiting("ImagePullBackOff"));
        await sleep(pause / 2, undefined, { signal: run.stop.signal }).catch(() => undefined);
      }
    }
    if (run.stop.signal.aborted) return this.endUnstarted(run);

    const id = run.containerId;
    const stream = await this.o.client.attachContainer(id);
    const ended = this.keepLog(stream, run);
    try {
      await this.o.client.startContainer(id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const at = new Date().toISOString();
      this.setStatus(run, (_, status) => {
        status.phase = "Failed";
        status.containerStatuses = [
          this.containerStatus(run, {
            terminated: { exitCode: 128, reason: "StartError", message, startedAt: at, finishedAt: at },
          }),
        ];
      });
      stream.destroy();
      return;
    }
    run.startedAt = new Date().toISOString();
    this.setStatus(run, (_, status) => {
      status.phase = "Running";
      status.podIP = "127.0.0.1";
      status.conditions = [
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
        { type: "Ready", status: "True", lastTransitionTime: run.startedAt },
      ];
      status.containerStatuses = [this.containerStatus(run, { running: { startedAt: run.startedAt } }, true)];
    });
    // A deadline or deletion that came while the container was being created.
    if (run.why) this.kill(run, run.why === "Deleted" ? 0 : this.graceMs(pod));

    const exitCode = await this.waitExit(id, ended);
    await Promise.race([ended, sleep(2_000)]);
    stream.destroy();
    await this.stopSidecars(pod, run);
    const state = (await this.o.client.containerState(id).catch(() => undefined)) as
      { OOMKilled?: boolean } | undefined;
    const finishedAt = new Date().toISOString();
    const reason = state?.OOMKilled ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
    this.setStatus(run, (_, status) => {
      status.phase = exitCode === 0 && !run.why ? "Succeeded" : "Failed";
      if (run.why === "DeadlineExceeded") {
        status.reason = "DeadlineExceeded";
        status.message = "Pod was active on the node longer than the specified deadline";
      }
      status.conditions = [
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
        { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: finishedAt },
      ];
      if (run.sidecars.length > 0) status.initContainerStatuses = this.sidecarStatuses(run, finishedAt);
      status.containerStatuses = [
        this.containerStatus(run, {
          terminated: {
            exitCode,
            reason,
            startedAt: run.startedAt,
            finishedAt,
            containerID: `docker://${id}`,
          },
        }),
      ];
    });
    // As the kubelet: a follow ends once the container is seen not to run and the log is read out.
    this.endLog(run);
  }

  private endLog(run: PodRun): void {
    if (run.logEnded) return;
    run.logEnded = true;
    for (const follower of run.followers) follower.end();
    run.followers.clear();
  }

  /** Stopped before its container started: by its deadline (the pod fails) or by its deletion. */
  private endUnstarted(run: PodRun): void {
    if (run.why !== "DeadlineExceeded") return;
    this.setStatus(run, (_, status) => {
      status.phase = "Failed";
      status.reason = "DeadlineExceeded";
      status.message = "Pod was active on the node longer than the specified deadline";
    });
  }

  private failed(run: PodRun, err: unknown): void {
    const message = `kube-standin: ${err instanceof Error ? err.message : String(err)}`;
    this.setStatus(run, (_, status) => {
      status.phase = "Failed";
      status.reason = "StandinError";
      status.message = message;
    });
  }

  private graceMs(pod: StandinObject): number {
    return (
      ((pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30) * 1000
    );
  }

  /** What the kubelet does before it can start the container; a Waiting error when it cannot yet. */
  private async createContainer(
    pod: StandinObject,
    run: PodRun,
    c: Container,
    network: string | undefined,
  ): Promise<string> {
    const env = this.environment(c, run.namespace);
    const mounts = this.mounts(pod, run, c);
    await this.ensureImage(pod, c);
    const vars = new Map(env);
    const expandAll = (list: string[] | undefined) => list?.map((s) => expand(s, vars));
    const command = expandAll(c.command);
    const args = expandAll(c.args);
    const config = {
      Image: c.image,
      ...(command ? { Entrypoint: command, Cmd: args ?? [] } : args ? { Cmd: args } : {}),
      Env: env.map(([k, v]) => `${k}=${v}`),
      ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
      Labels: {
        ...pod.metadata.labels,
        [STANDIN_LABEL]: this.o.instance,
        "io.kubernetes.pod.name": run.name,
        "io.kubernetes.pod.namespace": run.namespace,
        "io.kubernetes.pod.uid": run.uid,
        "io.kubernetes.container.name": c.name,
      },
      Tty: false,
      OpenStdin: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        Mounts: mounts,
        Privileged: c.securityContext?.privileged === true,
        ...(network ? { NetworkMode: network } : {}),
      },
    };
    const name = `k8s_${c.name}_${run.name}_${run.namespace}_${run.uid}_0`;
    try {
      return await this.o.client.createContainer(config, name);
    } catch (err) {
      throw new Waiting("CreateContainerError", err instanceof Error ? err.message : String(err));
    }
  }

  /** env and envFrom, Secret references resolved and `$(VAR)` expanded, as the kubelet does. */
  private environment(c: Container, namespace: string): [string, string][] {
    const vars = new Map<string, string>();
    const secret = (name: string, optional: boolean | undefined) => {
      const s = this.o.store.get("secrets", namespace, name);
      if (!s && !optional) throw new Waiting("CreateContainerConfigError", `secret "${name}" not found`);
      return (s?.data ?? {}) as Record<string, string>;
    };
    for (const from of c.envFrom ?? []) {
      if (!from.secretRef) throw unsupported("envFrom other than secretRef");
      for (const [k, v] of Object.entries(secret(from.secretRef.name, from.secretRef.optional))) {
        vars.set(`${from.prefix ?? ""}${k}`, Buffer.from(v, "base64").toString("utf8"));
      }
    }
    for (const e of c.env ?? []) {
      if (!e.valueFrom) {
        vars.set(e.name, expand(e.value ?? "", vars));
        continue;
      }
      const ref = e.valueFrom.secretKeyRef as { name: string; key: string; optional?: boolean } | undefined;
      if (!ref) throw unsupported(`env valueFrom ${Object.keys(e.valueFrom).join(", ")}`);
      const data = secret(ref.name, ref.optional);
      const value = data[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new Waiting(
          "CreateContainerConfigError",
          `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`,
        );
      }
      vars.set(e.name, Buffer.from(value, "base64").toString("utf8"));
    }
    return [...vars];
  }

  /** Volume mounts as bind mounts: hostPath as is, a claim as `claims/<ns>/<claim>[/<subPath>]`. */
  private mounts(pod: StandinObject, run: PodRun, c: Container): Obj[] {
    const volumes = ((pod.spec as { volumes?: Volume[] }).volumes ?? []) as Volume[];
    return (c.volumeMounts ?? []).map((m) => {
      const v = volumes.find((x) => x.name === m.name) as Volume;
      let source: string;
      let readOnly = m.readOnly === true;
      if (v.hostPath) {
        source = v.hostPath.path;
        if (v.hostPath.type === "DirectoryOrCreate") mkdirSync(source, { recursive: true });
      } else if (v.persistentVolumeClaim) {
        source = join(this.o.root, "claims", run.namespace, v.persistentVolumeClaim.claimName);
        readOnly ||= v.persistentVolumeClaim.readOnly === true;
      } else if (v.emptyDir) {
        source = join(this.o.root, "pods", run.uid, "volumes", v.name);
      } else {
        throw unsupported(`volume type ${Object.keys(v).filter((k) => k !== "name")}`);
      }
      if (m.subPath) source = join(source, m.subPath);
      mkdirSync(source, { recursive: true });
      return { Type: "bind", Source: source, Target: m.mountPath, ReadOnly: readOnly };
    });
  }

  /** imagePullPolicy, with the logins of the pod's imagePullSecrets (kubernetes.io/dockerconfigjson). */
  private async ensureImage(pod: StandinObject, c: Container): Promise<void> {
    const present = (await this.o.client.inspectImage(c.image)) !== undefined;
    if (c.imagePullPolicy === "Never") {
      if (present) return;
      const message = `Container image "${c.image}" is not present with pull policy of Never`;
      throw new Waiting("ErrImageNeverPull", message, true);
    }
    if (present && c.imagePullPolicy !== "Always") return;
    const ref = parseImageRef(c.image);
    let auth: { username: string; password: string; serveraddress: string } | undefined;
    for (const { name } of (pod.spec as { imagePullSecrets?: { name: string }[] }).imagePullSecrets ?? []) {
      const s = this.o.store.get("secrets", pod.metadata.namespace, name);
      const raw = (s?.data as Record<string, string> | undefined)?.[".dockerconfigjson"];
      if (!raw) continue;
      const auths = (JSON.parse(Buffer.from(raw, "base64").toString()) as { auths?: Record<string, Obj> })
        .auths;
      // Keys may carry a scheme and a path ("https://index.docker.io/v1/"), as the kubelet accepts.
      const hostOf = (key: string) => key.replace(/^[a-z]+:\/\//, "").split("/")[0];
      const registry = ref.registry === "docker.io" ? "index.docker.io" : ref.registry;
      const login = Object.entries(auths ?? {}).find(([key]) => hostOf(key) === registry)?.[1];
      if (!login) continue;
      const [user, ...pass] = login.auth
        ? Buffer.from(String(login.auth), "base64").toString().split(":")
        : [String(login.username), String(login.password)];
      auth = { username: user ?? "", password: pass.join(":"), serveraddress: ref.registry };
      break;
    }
    const insecure = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(ref.registry);
    try {
      await this.o.client.pullImage(ref.pullRef, { ...(auth ? { auth } : {}), insecure });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Waiting("ErrImagePull", `failed to pull image "${c.image}": ${why}`);
    }
  }

  /** One log for both streams, as the engine sends them (the CRI log file interleaves them so too). */
  private keepLog(stream: Readable, run: PodRun): Promise<void> {
    const demux = new StreamDemuxer((_, payload) => {
      const piece = Buffer.from(payload);
      run.log.push(piece);
      for (const follower of run.followers) follower.write(piece);
    });
    stream.on("data", (chunk: Buffer) => demux.push(chunk));
    return new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
  }

  /** `wait`, or inspect once the attached stream has ended (Podman answers `wait` late). */
  private async waitExit(id: string, streamEnded: Promise<void>): Promise<number> {
    const poll = new AbortController();
    const waiting = this.o.client.waitContainer(id, poll.signal).then((r) => r.StatusCode);
    const inspected = streamEnded.then(async () => {
      for (;;) {
        const state = await this.o.client.containerState(id).catch(() => undefined);
        if (state && state.Running === false && state.ExitCode !== undefined && state.Status !== "created") {
          return state.ExitCode;
        }
        await sleep(50);
        if (poll.signal.aborted) return waiting;
      }
    });
    try {
      return await Promise.race([waiting, inspected]);
    } finally {
      poll.abort();
      waiting.catch(() => undefined);
      inspected.catch(() => undefined);
    }
  }
}

function unsupported(what: string): Waiting {
  return new Waiting("CreateContainerConfigError", `kube-standin does not implement ${what}`, true);
}

/**
 * Kubernetes' `$(VAR)` expansion of env values, command and args: a defined variable is replaced,
 * an undefined one is left as written, and `$$` is always one `$` (k8s.io/kubernetes third_party
 * expansion.Expand).
 */
export function expand(input: string, vars: Map<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== "$" || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 1;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += "$(";
        i += 1;
      } else {
        const name = input.slice(i + 2, close);
        out += vars.get(name) ?? `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i += 1;
    }
  }
  return out;
}
