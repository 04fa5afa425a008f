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
  /** The id of the delivery recorded with the events, when one was given. */
  recordedDelivery?: string;
}

/**
 * What became of a webhook request that passed authentication: it stored events (`accepted`), only
 * repeated stored ones (`duplicate`), held nothing for the project (`ignored`), or could not be read
 * (`rejected`, a payload problem).
 */
export type DeliveryOutcome = "accepted" | "duplicate" | "ignored" | "rejected";

/** Something of a delivery that did not become an event, and why: one reason per subscription. */
export interface DeliveryIgnored {
  /** The image ("quay.io/team/x:v1"), or where in the payload ("events[1]"), or "" for all of it. */
  what: string;
  reasons: string[];
}

/** An image a delivery reported, for filtering by repository and tag. */
export interface DeliveryImage {
  repository: string;
  tag?: string;
}

export interface NewDelivery {
  registry: string;
  project: string;
  /** Only the headers that explain a delivery; never credentials (the gateway chooses them). */
  headers: Record<string, string>;
  /** The body, or its first part when `bodyTruncated`. */
  body: string;
  bodyTruncated: boolean;
  images: DeliveryImage[];
  ignored: DeliveryIgnored[];
  /** Why a rejected delivery was refused. */
  problem?: { code: string; message: string };
  /** The delivery this one replays (redelivered through the API). */
  replayOf?: string;
  /** Only the newest this many deliveries are kept: recording this one prunes those past it. */
  keep: number;
}

/** A delivery as recorded. */
export interface Delivery extends Omit<NewDelivery, "keep" | "bodyTruncated"> {
  id: string;
  receivedAt: string;
  outcome: DeliveryOutcome;
  bodyTruncated?: true;
  /** The events it created. */
  eventIds: string[];
  /** The stored events its duplicates repeat. */
  duplicateOf: string[];
}

export interface DeliveryQuery {
  project?: string;
  registry?: string;
  outcome?: DeliveryOutcome;
  /** Deliveries that reported an image of this repository (and tag, when both are given). */
  repository?: string;
  tag?: string;
  /** RFC 3339; received at or after `since`, before `until`. */
  since?: string;
  until?: string;
  /** Paging: only deliveries older than this id. */
  before?: string;
  /** Newest first; at most this many (default 50). */
  limit?: number;
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
  /**
   * Commits the events atomically, all or none, before resolving. A (project, deliveryId) already
   * stored is reported as a duplicate and not stored again. A `delivery` is recorded in the same
   * commit, `accepted` when any event was new, else `duplicate`.
   */
  acceptEvents(events: readonly NewEvent[], delivery?: NewDelivery): Promise<AcceptResult>;
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

  /** Records a delivery that stored no events; durable when it resolves. */
  recordDelivery(delivery: NewDelivery & { outcome: "ignored" | "rejected" }): Promise<Delivery>;
  getDelivery(id: string): Promise<Delivery | undefined>;
  /** Newest first. */
  listDeliveries(query?: DeliveryQuery): Promise<Delivery[]>;
  /** Deletes deliveries received before `olderThan` (RFC 3339); returns how many went. */
  pruneDeliveries(olderThan: string): Promise<number>;

  /** Resolves when the store can commit; for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
