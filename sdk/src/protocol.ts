/**
 * The bridge: the only way the SDK reaches the host. Everything crossing it is a string, so the
 * contract is the JSON shapes below and nothing else (no shared objects, no prototypes).
 */

/** Name of the global the runtime installs the bridge under. */
export const BRIDGE_GLOBAL = "__bosun";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface HostBridge {
  /** Runs one job. Takes a JobRequest as JSON; resolves with a JobReply as JSON; never rejects. */
  runJob(requestJson: string): Promise<string>;
  /** One line of the script's own output. */
  log(level: LogLevel, text: string): void;
}

export interface JobResources {
  /** Kubernetes quantities, e.g. "500m", "1". */
  cpu?: string;
  /** Kubernetes quantities, e.g. "256Mi". */
  memory?: string;
}

/** A job as the SDK asks for it: Brigade v1's Job, flattened to data. */
export interface JobRequest {
  name: string;
  image: string;
  tasks: string[];
  args: string[];
  env: Record<string, string>;
  shell: string;
  timeoutMs?: number;
  privileged: boolean;
  imagePullSecrets: string[];
  imageForcePull: boolean;
  streamLogs: boolean;
  serviceAccount?: string;
  annotations: Record<string, string>;
  resourceRequests: JobResources;
  resourceLimits: JobResources;
  host: { os?: string; name?: string; nodeSelector: Record<string, string> };
  storage: { enabled: boolean; path: string };
  cache: { enabled: boolean; path: string; size: string };
  docker: { enabled: boolean };
  /** Brigade v2's primaryContainer.command: replaces the image's entrypoint when there are no tasks. */
  command?: string[];
  workingDir?: string;
  sidecars?: SidecarRequest[];
}

/** One of Brigade v2's sidecarContainers, flattened to data. */
export interface SidecarRequest {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  workingDir?: string;
  privileged: boolean;
  imageForcePull: boolean;
}

export type JobOutcome = "succeeded" | "failed" | "timed_out" | "cancelled";

export interface JobResultData {
  /** The name the job was recorded under: its own, with "-2", "-3" added when run again. */
  name?: string;
  outcome: JobOutcome;
  exitCode?: number;
  output: string;
  startedAt: string;
  finishedAt: string;
  error?: { code: string; message: string };
}

export type JobReply =
  { ok: true; result: JobResultData } | { ok: false; error: { code: string; message: string } };
