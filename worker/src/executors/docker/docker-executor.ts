/**
 * The `docker` executor (DESIGN.md §7b): one container per job through the Docker Engine API, on
 * Docker or on Podman's compatible service. The lifecycle per job is: make sure the image is there
 * (pull only when missing), create, attach, start, wait, remove. The job's own failure, a timeout or
 * a cancellation is an outcome; only a bug could make `run` reject.
 */
import { BosunError } from "@bosun/core";
import type { Executor, JobResult, JobRunContext, JobSpec } from "@bosun/core";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { JobOutput } from "../job-output.js";
import { JobStopper, stoppedResult } from "../job-stopper.js";
import { Slots } from "../slots.js";
import type { StopReason } from "../job-stopper.js";
import { redactAll } from "../redact.js";
import { DockerClient } from "./client.js";
import type { RegistryCredentials, WaitResult } from "./client.js";
import { containerConfig, containerName } from "./container-config.js";
import { parseImageRef } from "./image-ref.js";
import { reapContainers, type RunActive } from "./reaper.js";
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
  /** Credentials for a registry host (e.g. "ghcr.io", "docker.io"), sent with pulls. */
  registryAuth?: (
    registry: string,
  ) => RegistryCredentials | undefined | Promise<RegistryCredentials | undefined>;
  /** HostConfig.NetworkMode for job containers; the engine's default when absent. */
  network?: string;
  /** Characters of output kept in JobResult.output (the most recent). Default 1 MiB. */
  maxOutputChars?: number;
  /** Jobs running at once; further jobs wait (their timeout starts when they do). Default: no cap. */
  maxConcurrentJobs?: number;
  /** Limit for short API calls (create, start, kill, remove). Default 60 s. */
  apiTimeoutMs?: number;
  /** How long a killed container may take to be reported stopped before it is given up on. Default 30 s. */
  killGraceMs?: number;
}

/** After the container has exited, how long the output stream may stay silent before it is cut. */
const DRAIN_IDLE_MS = 10_000;

/** States of a container whose process is gone ("stopped" is Podman's, before its cleanup). */
const EXITED = new Set(["exited", "stopped", "dead"]);

export class DockerExecutor implements Executor {
  readonly kind = "docker" as const;
  readonly client: DockerClient;
  private readonly options: DockerExecutorOptions;
  private readonly insecure: Set<string>;
  private readonly slots: Slots | undefined;

  constructor(options: DockerExecutorOptions) {
    this.options = options;
    this.client = new DockerClient({ socketPath: options.socketPath, timeoutMs: options.apiTimeoutMs });
    this.insecure = new Set(options.insecureRegistries ?? []);
    this.slots = options.maxConcurrentJobs ? new Slots(options.maxConcurrentJobs) : undefined;
  }

  /** Rejects with EXECUTOR_UNAVAILABLE when the engine does not answer (for health checks at start-up). */
  ping(): Promise<void> {
    return this.client.ping();
  }

  /** Removes containers of runs that are over (left by a worker that died); returns how many. */
  reap(runActive: RunActive): Promise<number> {
    return reapContainers(this.client, runActive);
  }

  /** Frees pooled connections to the engine. */
  close(): void {
    this.client.close();
  }

  async run(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    if (!this.slots) return this.runJob(spec, context);
    let release: () => void;
    try {
      release = await this.slots.acquire(context.signal);
    } catch {
      const at = new Date().toISOString();
      const error = {
        code: "JOB_CANCELLED",
        message: "the job was cancelled while waiting for a free job slot",
      };
      return { outcome: "cancelled", output: "", startedAt: at, finishedAt: at, error };
    }
    try {
      return await this.runJob(spec, context);
    } finally {
      release();
    }
  }

  private async runJob(spec: JobSpec, context: JobRunContext): Promise<JobResult> {
    const startedAt = new Date().toISOString();
    const secrets = spec.secretValues ?? [];
    const output = new JobOutput({
      secrets,
      maxChars: this.options.maxOutputChars,
      onOutput: context.onOutput,
    });
    const stopper = new JobStopper(context.signal, spec.timeoutMs);
    let id: string | undefined;
    let exitCode: number | undefined;
    let stoppedBy: StopReason | undefined;
    let error: JobResult["error"];
    try {
      if (!stopper.reason) {
        await this.ensureImage(spec.image, stopper.signal);
        // Not abortable: an abandoned create could still leave a container behind, with no id to remove.
        if (!stopper.reason) {
          id = await this.client.createContainer(
            containerConfig(spec, { network: this.options.network, engineSocket: this.options.socketPath }),
            containerName(spec),
          );
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
      if (id) await this.remove(id);
    }

    const result = { output: output.text(), startedAt, finishedAt: new Date().toISOString() };
    const stopped = stoppedResult(stoppedBy, spec.timeoutMs, result);
    if (stopped) return stopped;
    if (error) return { ...result, outcome: "failed", error };
    return { ...result, outcome: exitCode === 0 ? "succeeded" : "failed", exitCode };
  }

  private async ensureImage(image: string, signal: AbortSignal): Promise<void> {
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
    const auth = await this.options.registryAuth?.(ref.registry);
    await this.client.pullImage(ref.pullRef, {
      insecure: this.insecure.has(ref.registry),
      auth: auth ? { ...auth, serveraddress: ref.registry } : undefined,
      signal,
    });
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

  /** Forced removal, retried once: a container left behind is worse than a slower finish. */
  private async remove(id: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.client.removeContainer(id);
        return;
      } catch {
        await sleep(250 * (attempt + 1));
      }
    }
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

function jobError(err: unknown, secrets: readonly string[]): { code: string; message: string } {
  if (err instanceof BosunError) return { code: err.code, message: redactAll(err.message, secrets) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL", message: redactAll(message, secrets) };
}
