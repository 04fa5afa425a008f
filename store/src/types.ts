import type {
  BosunEvent,
  NewEvent,
  JobRecord,
  LogEntry,
  NewJob,
  NewLogEntry,
  NewRun,
  Run,
  RunStatus,
} from "@bosun/core";
import type { WatchStore } from "./watches.js";

export type EventState = "queued" | "running" | "done";

/** A registry's push or an event created through the API, with its place in the queue. */
export type StoredEvent = BosunEvent & {
  state: EventState;
  /** How many times a worker claimed it. */
  attempts: number;
};

export interface AcceptResult {
  /** Newly committed events, in input order. */
  accepted: StoredEvent[];
  /** Events that were already stored under the same (project, deliveryId): the earlier copy. */
  duplicates: StoredEvent[];
}

export interface Claim {
  event: StoredEvent;
  /** Equals event.attempts after this claim. */
  attempt: number;
}

export interface ClaimOptions {
  /** Identifies the worker holding the lease. */
  owner: string;
  leaseMs: number;
  /** Projects at their concurrency limit: their events stay queued. */
  skipProjects?: readonly string[];
  /**
   * A project's concurrency limit across every worker on the store: an event is claimed only while
   * its project holds fewer unexpired leases. Enforced by stores shared between processes
   * (PostgreSQL); the SQLite store relies on skipProjects from its one worker.
   */
  concurrencyOf?: (project: string) => number | undefined;
}

export interface EventQuery {
  project?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
}

export interface RunQuery {
  project?: string;
  eventId?: string;
  limit?: number;
}

export interface LogQuery {
  runId: string;
  jobId?: string;
  /** Only entries with seq greater than this. */
  afterSeq?: number;
  limit?: number;
}

/**
 * The durable state of Bosun. Every method may reject with StoreUnavailableError when the backing
 * database cannot answer; nothing else about the backend leaks through.
 */
export interface Store {
  /** The watched registries' repositories: their tags as last polled, and who polls each. */
  readonly watches: WatchStore;
  /**
   * Commits the events atomically, all or none, before resolving. A (project, deliveryId) already
   * stored is reported as a duplicate and not stored again.
   */
  acceptEvents(events: readonly NewEvent[]): Promise<AcceptResult>;
  getEvent(id: string): Promise<StoredEvent | undefined>;
  listEvents(query?: EventQuery): Promise<StoredEvent[]>;

  /** Takes the oldest queued event, or one whose lease expired, and leases it to `owner`. */
  claimEvent(options: ClaimOptions): Promise<Claim | undefined>;
  /** Extends a lease; false when the lease was lost (expired and claimed by another owner). */
  renewLease(eventId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Marks a claimed event done; false when `owner` no longer holds its lease. */
  finishEvent(eventId: string, owner: string): Promise<boolean>;
  /**
   * In-process hint that events were accepted, with their projects, so a local worker need not wait
   * for its next poll, nor search the queue when every one of those projects is at its limit.
   */
  onEventsAccepted(listener: (projects: readonly string[]) => void): () => void;

  createRun(run: NewRun): Promise<Run>;
  /**
   * Only a running run is finished: one already finished keeps its outcome, so a worker that lost its
   * lease and ends late cannot overwrite "abandoned", recorded when the event was claimed again.
   */
  finishRun(id: string, status: Exclude<RunStatus, "running">, error?: Run["error"]): Promise<void>;
  getRun(id: string): Promise<Run | undefined>;
  /** Newest first. */
  listRuns(query?: RunQuery): Promise<Run[]>;
  /** Deletes finished runs with their jobs and logs (log retention); running ones are kept. Returns how many went. */
  deleteRuns(ids: readonly string[]): Promise<number>;

  createJob(job: NewJob): Promise<JobRecord>;
  updateJob(
    id: string,
    patch: Partial<Pick<JobRecord, "status" | "exitCode" | "startedAt" | "finishedAt" | "error">>,
  ): Promise<void>;
  /** In creation order. */
  listJobs(runId: string): Promise<JobRecord[]>;

  appendLogs(entries: readonly NewLogEntry[]): Promise<void>;
  /** In seq order. */
  readLogs(query: LogQuery): Promise<LogEntry[]>;

  /** Resolves when the store can commit; for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
