/**
 * The `docker` executor: one container per job through the Docker Engine API, on
 * Docker or on Podman's compatible service. The lifecycle per job is: make sure the image is there
 * (pull only when missing), create, attach, start, wait, remove. The job's own failure, a timeout or
 * a cancellation is an outcome; only a bug could make `run` reject.
 *
 * A job that ended by itself returns its result before its container is removed: on Podman's service
 * a removal waits for the engine's post-exit cleanup (~0.25 s, as long as the job itself took on a
 * quiet machine). `settled()` and `close()` wait for those removals; the reaper is the backstop.
 */
import { BosunError } from "@bosun/core";
import type { ErrorCode, Executor, JobResult, JobRunContext, JobSpec, RegistryLogin } from "@bosun/core";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobOutput } from "../job-output.js";
import { stoppedResult, type JobStopper } from "../job-stopper.js";
import { startJob } from "../job-start.js";
import { DEFAULT_MAX_CONCURRENT_JOBS, fairSlots, type Slots } from "../slots.js";
import { runInSlot } from "../slotted.js";
import type { StopReason } from "../job-stopper.js";
import { redactAll } from "../redact.js";
import { loginFor, PULL_AUTH_REFUSED, pullRefusedMessage } from "../registry-login.js";
import { DockerClient } from "./client.js";
import { DockerApiError } from "./transport.js";
import type { RegistryCredentials, WaitResult } from "./client.js";
import { containerConfig, containerName } from "./container-config.js";
import { parseImageRef } from "./image-ref.js";
import { reapContainers, type RunActive } from "./reaper.js";
import { sharedNetwork, sidecarSpec } from "./sidecars.js";
import { StreamDemuxer } from "./stream-demux.js";

export interface DockerExecutorOptions {
  /** The engine's API socket: /var/run/docker.sock, or the one `podman system service` serves. */
  socketPath: string;
  /**
   * Registries (host[:port], exactly as in image references) reached over plain HTTP or without TLS
   * verification. With Podman this is honoured per pull; with Docker the daemon's own
   * `insecure-registries` setting decides (127.0.0.0/8 is insecure there by default).
   */
  insecureRegistries?: string[];
  /**
   * What a refused pull tells the user to do, when it is not `bosun login docker` (e.g. for
   * `bosun script run`, which pulls with the logins of `podman login` / `docker login`).
   */
  loginAdvice?: (registry: string) => string;
  /** Credentials for a registry host (e.g. "ghcr.io", "docker.io"), sent with pulls. */
  registryAuth?: (
    registry: string,
  ) => RegistryCredentials | undefined | Promise<RegistryCredentials | undefined>;
  /** HostConfig.NetworkMode for job containers; the engine's default when absent. */
  network?: string;
  /** Characters of output kept in JobResult.output (the most recent). Default 1 MiB. */
  maxOutputChars?: number;
  /**
   * Jobs running at once, all projects together; further jobs wait (their timeout starts when they
   * do), and a freed slot goes to the next waiting project in turn. Default 8.
   */
  maxConcurrentJobs?: number;
  /** The most of those slots one project holds at once. Default: all but a quarter (at least one). */
  maxConcurrentJobsPerProject?: number;
  /** Limit for short API calls (create, start, kill, remove). Default 60 s. */
  apiTimeoutMs?: number;
  /** How long a killed container may take to be reported stopped before it is given up on. Default 30 s. */
  killGraceMs?: number;
  /**
   * Told when the container of a job that ended by itself could not be removed (that removal happens
   * after the job's result is returned; the reaper removes what is left once the run is over).
   * Default: a process warning.
   */
  onRemoveFailed?: (containerId: string, error: unknown) => void;
}

/** After the container has exited, how long the output stream may stay silent before it is cut. */
const DRAIN_IDLE_MS = 10_000;

/** States of a container whose process is gone ("stopped" is Podman's, before its cleanup). */
const EXITED = new Set(["exited", "stopped", "dead"]);

/** How often, and how long at most, a finished job's removal waits for the engine's post-exit cleanup. */
const CLEANUP_POLL_MS = 40;
const CLEANUP_WAIT_MS = 3_000;

export class DockerExecutor implements Executor {
  readonly kind = "docker" as const;
  readonly client: DockerClient;
  private readonly options: DockerExecutorOptions;
  private readonly insecure: Set<string>;
  private readonly slots: Slots;
  /** Removals of containers whose job's result has already been returned. */
  private readonly removals = new Set<Promise<void>>();

  constructor(options: DockerExecutorOptions) {
    this.options = options;
    this.client = new DockerClient({ socketPath: options.socketPath, timeoutMs: options.apiTimeoutMs });
    this.insecure = new Set(options.insecureRegistries ?? []);
    this.slots = fairSlots(
      options.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS,
      options.maxConcurrentJobsPerProject,
    );
  }

  /** Rejects with EXECUTOR_UNAVAILABLE when the engine does not answer (for health checks at start-up). */
  ping(): Promise<void> {
    return this.client.ping();
  }

  /** Removes containers of runs that are over (left by a worker that died); returns how many. */
  reap(runActive: RunActive): Promise<number> {
    return reapContainers(this.client, runActive);
  }

  /**
   * Resolves once the containers of jobs that have returned are removed. A job that ended by itself
   * returns its result before its container is removed (Podman's service answers that removal only
   * after its own post-exit cleanup, ~0.25 s later); a killed or failed job's container is removed
   * before its result is returned.
   */
  async settled(): Promise<void> {
    while (this.removals.size > 0) await Promise.all(this.removals);
  }

  /** Waits for the removals still under way (see `settled`), then frees pooled connections to the engine. */
  async close(): Promise<void> {
    await this.settled();
    this.client.close();
  }

  run(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    return runInSlot(this.slots, spec, context, () => this.runJob(spec, context));
  }

  private async runJob(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    const { startedAt, secrets, output, stopper } = startJob(spec, context, this.options.maxOutputChars);
    let id: string | undefined;
    const sidecarIds: string[] = [];
    let exitCode: number | undefined;
    let stoppedBy: StopReason | undefined;
    let error: JobResult["error"];
    try {
      if (!stopper.reason) {
        await this.ensureImage(spec, stopper.signal);
        for (const sidecar of spec.sidecars ?? [])
          await this.ensureImage(sidecarSpec(spec, sidecar), stopper.signal);
        // Not abortable: an abandoned create could still leave a container behind, with no id to remove.
        if (!stopper.reason) await this.startSidecars(spec, sidecarIds);
        if (!stopper.reason) {
          id = await this.createContainer(spec, sharedNetwork(sidecarIds[0], this.options.network));
          ({ exitCode, stoppedBy } = await this.runContainer(id, output, stopper));
        }
      }
      stoppedBy ??= stopper.reason;
    } catch (err) {
      stoppedBy = stopper.reason;
      if (!stoppedBy) error = jobError(err, secrets);
    } finally {
      stopper.dispose();
      output.end();
      if (id) {
        // A job that ended by itself is over once its exit code and output are in. A killed or failed
        // one is removed before its result is returned: whoever stopped it finds nothing left.
        if (exitCode !== undefined && !stoppedBy && !error) this.removeLater(id);
        else await this.remove(id).catch(() => undefined);
      }
      // Sidecars end with the job, however it ended: a forced removal kills them.
      await Promise.all(sidecarIds.map((sidecar) => this.remove(sidecar).catch(() => undefined)));
    }

    const result = { output: output.text(), startedAt, finishedAt: new Date().toISOString() };
    const stopped = stoppedResult(stoppedBy, spec.timeoutMs, result);
    if (stopped) return stopped;
    if (error) return { ...result, outcome: "failed", error };
    return { ...result, outcome: exitCode === 0 ? "succeeded" : "failed", exitCode };
  }

  /**
   * Pulls the job's image when the engine does not have it, with the project's login for the image's
   * registry (`spec.registryCredentials`), else the executor's own `registryAuth`. A refused pull says
   * which registry refused and how to log in to it; no error carries the password.
   */
  private async ensureImage(spec: JobSpec, signal: AbortSignal): Promise<void> {
    const { image } = spec;
    const ref = parseImageRef(image);
    try {
      if (await this.client.inspectImage(image)) return;
    } catch (err) {
      // An engine that cannot even look the name up (malformed reference) cannot pull it either.
      if (err instanceof BosunError && err.code === "INTERNAL") {
        throw new BosunError("IMAGE_PULL_FAILED", `image ${image}: ${err.message}`, [], { cause: err });
      }
      throw err;
    }
    const login = loginFor(spec.registryCredentials, ref.registry);
    const auth = login
      ? { username: login.username, password: login.password }
      : await this.options.registryAuth?.(ref.registry);
    try {
      await this.client.pullImage(ref.pullRef, {
        insecure: this.insecure.has(ref.registry),
        auth: auth ? { ...auth, serveraddress: ref.registry } : undefined,
        signal,
      });
    } catch (err) {
      throw pullError(err, {
        advice: this.options.loginAdvice?.(ref.registry),
        image,
        registry: ref.registry,
        login,
        auth,
        project: spec.labels["bosun.project"],
      });
    }
  }

  /**
   * The engine refusing the container (a network or mount source that does not exist, a limit it
   * cannot apply) is the job's settings' fault: JOB_INVALID, with the engine's words.
   */
  private async createContainer(spec: JobSpec, network: string | undefined): Promise<string> {
    const { socketPath } = this.options;
    const engine = (await this.client.isPodman()) ? "podman" : "docker";
    try {
      return await this.client.createContainer(
        containerConfig(spec, { network, engineSocket: socketPath, engine }),
        containerName(spec),
      );
    } catch (err) {
      if (!(err instanceof DockerApiError)) throw err;
      const detail = err.message.replace(/^POST \S+: /, "");
      const hint =
        network && !network.startsWith("container:") && /network/i.test(detail)
          ? ` (the network comes from docker.network: "${network}")`
          : "";
      throw new BosunError("JOB_INVALID", `the engine refused the job's container: ${detail}${hint}`, [], {
        cause: err,
      });
    }
  }

  /** Creates and starts the job's sidecars in order, adding each id to `ids` as soon as it exists. */
  private async startSidecars(spec: JobSpec, ids: string[]): Promise<void> {
    for (const sidecar of spec.sidecars ?? []) {
      const id = await this.createContainer(
        sidecarSpec(spec, sidecar),
        sharedNetwork(ids[0], this.options.network),
      );
      ids.push(id);
      await this.client.startContainer(id);
    }
  }

  /**
   * Attach, start, wait. The stop reason is read when the exit is seen: a timeout that fires while
   * the last output drains does not turn a finished job into a killed one.
   */
  private async runContainer(
    id: string,
    output: JobOutput,
    stopper: JobStopper,
  ): Promise<{ exitCode?: number; stoppedBy?: StopReason }> {
    const stream = await this.client.attachContainer(id);
    const pump = pumpOutput(stream, output);
    const waitAbort = new AbortController();
    let grace: NodeJS.Timeout | undefined;
    const kill = () => {
      this.client.killContainer(id).catch(() => {
        // Already stopped, or the engine is gone: removal (forced) follows either way.
      });
      grace = setTimeout(() => waitAbort.abort(stopper.signal.reason), this.options.killGraceMs ?? 30_000);
    };
    try {
      if (stopper.reason) return { stoppedBy: stopper.reason };
      await this.client.startContainer(id);
      if (stopper.signal.aborted) kill();
      else stopper.signal.addEventListener("abort", kill, { once: true });
      const exit = await this.waitForExit(id, pump.ended, waitAbort.signal);
      const stoppedBy = stopper.reason;
      await pump.drained(DRAIN_IDLE_MS);
      if (stoppedBy) return { stoppedBy };
      if (exit.Error?.Message) throw new BosunError("INTERNAL", `waiting for the job: ${exit.Error.Message}`);
      return { exitCode: exit.StatusCode };
    } finally {
      if (grace) clearTimeout(grace);
      stopper.signal.removeEventListener("abort", kill);
      stream.destroy();
    }
  }

  /**
   * The exit code, from whichever answers first: the wait long poll, or an inspect once the attached
   * stream has ended. Podman 4.3 answers `wait` only after its post-exit cleanup, about 0.4 s after
   * the process is gone, while its inspect already reports the exit code ("stopped").
   */
  private async waitForExit(
    id: string,
    streamEnded: Promise<void>,
    signal: AbortSignal,
  ): Promise<WaitResult> {
    const poll = new AbortController();
    const stopPoll = () => poll.abort(signal.reason);
    signal.addEventListener("abort", stopPoll, { once: true });
    const waiting = this.client.waitContainer(id, poll.signal);
    const inspected = streamEnded.then(async (): Promise<WaitResult> => {
      for (let i = 0; i < 10 && !poll.signal.aborted; i++) {
        const state = await this.client.containerState(id).catch(() => undefined);
        if (
          state &&
          state.Running === false &&
          EXITED.has(state.Status ?? "") &&
          state.ExitCode !== undefined
        ) {
          return { StatusCode: state.ExitCode };
        }
        await sleep(50);
      }
      return waiting;
    });
    try {
      return await Promise.race([waiting, inspected]);
    } finally {
      signal.removeEventListener("abort", stopPoll);
      poll.abort();
      waiting.catch(() => undefined);
      inspected.catch(() => undefined);
    }
  }

  /** Forced removal, retried twice; rejects with the last failure. */
  private async remove(id: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.removeContainer(id);
        return;
      } catch (err) {
        if (attempt === 2) throw err;
        await sleep(250 * (attempt + 1));
      }
    }
  }

  /**
   * Podman (4.3) reports a container whose process is gone as "stopped" until its post-exit cleanup
   * is done, ~0.25 s later. A removal sent meanwhile waits for that cleanup, and holds up the engine's
   * other work (the next job's create) all along: jobs run back to back took ~340 ms each that way,
   * ~200 ms when the removal waits for "exited" first. Docker reports "exited" at once.
   */
  private async cleanedUp(id: string): Promise<void> {
    const deadline = Date.now() + CLEANUP_WAIT_MS;
    while (Date.now() < deadline) {
      const state = await this.client.containerState(id).catch(() => undefined);
      if (state?.Status !== "stopped") return;
      await sleep(CLEANUP_POLL_MS);
    }
  }

  /** Removal after the result is returned; `settled` and `close` wait for it, failures are reported. */
  private removeLater(id: string): void {
    const removal: Promise<void> = this.cleanedUp(id)
      .then(() => this.remove(id))
      .catch((err: unknown) => {
        try {
          if (this.options.onRemoveFailed) this.options.onRemoveFailed(id, err);
          else process.emitWarning(removeFailedMessage(id, err), "BosunWarning");
        } catch {
          // A failing listener must not leave a rejected promise behind.
        }
      })
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }
}

/** Feeds the attached stream into the job's output; `drained` waits for its end, or for silence. */
function pumpOutput(
  stream: Readable,
  output: JobOutput,
): { ended: Promise<void>; drained(idleMs: number): Promise<void> } {
  const demux = new StreamDemuxer((which, payload) => output.write(which, payload));
  let lastData = Date.now();
  stream.on("data", (chunk: Buffer) => {
    lastData = Date.now();
    demux.push(chunk);
  });
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
  return {
    ended,
    async drained(idleMs) {
      for (;;) {
        const tick = sleep(250).then(() => false);
        if (await Promise.race([ended.then(() => true), tick])) return;
        if (Date.now() - lastData > idleMs) return;
      }
    },
  };
}

/** A refused pull names the registry and how to log in; every error loses the password. */
function pullError(
  err: unknown,
  pull: {
    image: string;
    registry: string;
    login: RegistryLogin | undefined;
    auth: { password: string } | undefined;
    project: string | undefined;
    advice: string | undefined;
  },
): unknown {
  if (!(err instanceof BosunError)) return err;
  const detail = pull.auth?.password ? redactAll(err.message, [pull.auth.password]) : err.message;
  if (err.code !== "IMAGE_PULL_FAILED" || !PULL_AUTH_REFUSED.test(err.message)) {
    return detail === err.message ? err : new BosunError(err.code, detail);
  }
  const message = pullRefusedMessage({ ...pull, executorLogin: !pull.login && !!pull.auth, detail });
  return new BosunError("IMAGE_PULL_FAILED", message);
}

function removeFailedMessage(id: string, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  return `could not remove job container ${id.slice(0, 12)} (${detail}); the reaper removes it once its run is over`;
}

function jobError(err: unknown, secrets: readonly string[]): { code: ErrorCode; message: string } {
  if (err instanceof BosunError) return { code: err.code, message: redactAll(err.message, secrets) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL", message: redactAll(message, secrets) };
}
