/**
 * The few Docker Engine API calls the executor needs, as typed methods. Works against Docker and
 * against Podman's Docker-compatible service; the one place they differ (pulling from a plain-HTTP
 * registry) is handled in `pullImage`.
 */
import { BosunError } from "@bosun/core";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { readPullProgress } from "./progress.js";
import type { ProgressLine } from "./progress.js";
import { DockerApiError, DockerTransport } from "./transport.js";
import type { TransportOptions } from "./transport.js";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface PullOptions {
  auth?: RegistryCredentials & { serveraddress?: string };
  /** The registry speaks plain HTTP (or has a certificate the engine should not verify). */
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (line: ProgressLine) => void;
}

export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Labels?: Record<string, string>;
  State?: string;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message?: string } | null;
}

export interface ContainerState {
  Status?: string;
  Running?: boolean;
  ExitCode?: number;
}

export interface EngineVersion {
  Version?: string;
  ApiVersion?: string;
  Components?: { Name: string; Version: string }[];
}

/** Podman's own API, used only where the compatible one cannot do the job. */
const LIBPOD_PREFIX = "/v4.0.0/libpod";

export class DockerClient {
  private readonly transport: DockerTransport;
  private engine: Promise<EngineVersion> | undefined;

  constructor(options: TransportOptions) {
    this.transport = new DockerTransport(options);
  }

  get socketPath(): string {
    return this.transport.socketPath;
  }

  async ping(): Promise<void> {
    await this.transport.call({ method: "GET", path: "/_ping", timeoutMs: 5_000 });
  }

  /** Asked once per client: the engine behind a socket does not change. */
  version(): Promise<EngineVersion> {
    this.engine ??= this.transport.json<EngineVersion>({ method: "GET", path: "/version" }).catch((err) => {
      this.engine = undefined;
      throw err;
    });
    return this.engine;
  }

  async isPodman(): Promise<boolean> {
    const v = await this.version();
    return (v.Components ?? []).some((c) => c.Name === "Podman Engine");
  }

  /** The image's inspect document, or undefined when it is not present locally. */
  async inspectImage(ref: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.transport.json({ method: "GET", path: `/images/${encodeName(ref)}/json` });
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /**
   * Pulls `ref` (which must name a tag or digest) and reads the progress stream to its end.
   *
   * Plain-HTTP registries: Docker decides per daemon (`insecure-registries` in daemon.json, and
   * 127.0.0.0/8 is insecure by default), so the compatible endpoint is enough. Podman 4.3's compatible
   * `POST /images/create` accepts no TLS parameter (unknown query parameters are ignored) and reads
   * registries.conf only when the service starts, so a registry added later would need a restart.
   * Its own endpoint, `POST /libpod/images/pull`, takes `tlsVerify=false` per request, so insecure
   * pulls from Podman go there.
   */
  async pullImage(ref: string, options: PullOptions = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (options.auth) headers["X-Registry-Auth"] = encodeAuth(options.auth);
    const usePodmanApi = options.insecure === true && (await this.isPodman());
    let body: IncomingMessage;
    try {
      body = await this.transport.stream(
        usePodmanApi
          ? {
              method: "POST",
              prefix: LIBPOD_PREFIX,
              path: "/images/pull",
              query: { reference: ref, tlsVerify: false },
              headers,
              signal: options.signal,
              timeoutMs: 0,
            }
          : {
              method: "POST",
              path: "/images/create",
              query: { fromImage: ref },
              headers,
              signal: options.signal,
              timeoutMs: 0,
            },
      );
    } catch (err) {
      throw asPullError(err, ref);
    }
    try {
      await readPullProgress(body, ref, options.onProgress);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw asPullError(err, ref);
    }
  }

  async removeImage(ref: string, force = false): Promise<void> {
    try {
      await this.transport.call({ method: "DELETE", path: `/images/${encodeName(ref)}`, query: { force } });
    } catch (err) {
      if (!(err instanceof DockerApiError && err.statusCode === 404)) throw err;
    }
  }

  async createContainer(config: Record<string, unknown>, name?: string): Promise<string> {
    const res = await this.transport.json<{ Id: string }>({
      method: "POST",
      path: "/containers/create",
      query: { name },
      body: config,
    });
    return res.Id;
  }

  /**
   * Attaches to stdout and stderr (multiplexed, see StreamDemuxer). Done before start, as the
   * Docker CLI does, this sees every byte, with backpressure and no log file in between.
   */
  attachContainer(id: string): Promise<Readable> {
    return this.transport.upgrade({
      method: "POST",
      path: `/containers/${id}/attach`,
      query: { stream: 1, stdout: 1, stderr: 1 },
      timeoutMs: 30_000,
    });
  }

  async startContainer(id: string): Promise<void> {
    await this.transport.call({ method: "POST", path: `/containers/${id}/start` });
  }

  /** The container's state, or undefined when it does not exist. */
  async containerState(id: string): Promise<ContainerState | undefined> {
    try {
      const res = await this.transport.json<{ State?: ContainerState }>({
        method: "GET",
        path: `/containers/${id}/json`,
      });
      return res.State;
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Long poll until the container stops. */
  waitContainer(id: string, signal?: AbortSignal): Promise<WaitResult> {
    return this.transport.json<WaitResult>({
      method: "POST",
      path: `/containers/${id}/wait`,
      signal,
      timeoutMs: 0,
    });
  }

  /**
   * The container's log as a multiplexed stream. Note: with `follow`, Podman 4.3 may stop before
   * the end of a long log once the container has exited; the executor streams through attach.
   */
  containerLogs(
    id: string,
    options: { follow?: boolean; signal?: AbortSignal } = {},
  ): Promise<IncomingMessage> {
    return this.transport.stream({
      method: "GET",
      path: `/containers/${id}/logs`,
      query: { stdout: 1, stderr: 1, follow: options.follow ? 1 : undefined },
      signal: options.signal,
      timeoutMs: 0,
    });
  }

  async killContainer(id: string, signal = "SIGKILL"): Promise<void> {
    await this.transport.call({ method: "POST", path: `/containers/${id}/kill`, query: { signal } });
  }

  /** Forced (kills a running container) and with its anonymous volumes; a missing one is fine. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.transport.call({ method: "DELETE", path: `/containers/${id}`, query: { force: 1, v: 1 } });
    } catch (err) {
      if (!(err instanceof DockerApiError && err.statusCode === 404)) throw err;
    }
  }

  /** Every container, running or not, carrying all of the given labels. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    return this.transport.json<ContainerSummary[]>({
      method: "GET",
      path: "/containers/json",
      query: { all: 1, filters: JSON.stringify({ label }) },
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** Image names keep their slashes in the path; both engines route `/images/{name}/json` that way. */
function encodeName(ref: string): string {
  return ref.split("/").map(encodeURIComponent).join("/");
}

/** X-Registry-Auth is URL-safe base64 of a JSON object; padding kept, as the Docker CLI sends it. */
function encodeAuth(auth: RegistryCredentials & { serveraddress?: string }): string {
  return Buffer.from(JSON.stringify(auth)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

function asPullError(err: unknown, ref: string): unknown {
  if (err instanceof BosunError && err.code === "EXECUTOR_UNAVAILABLE") return err;
  if (err instanceof BosunError && err.code === "IMAGE_PULL_FAILED") return err;
  if (err instanceof BosunError) {
    return new BosunError("IMAGE_PULL_FAILED", `pulling ${ref} failed: ${err.message}`, [], { cause: err });
  }
  return err;
}
