import type {
  BosunEvent,
  EventVerification,
  NewEvent,
  JobRecord,
  LogEntry,
  NewJob,
  NewLogEntry,
  NewRun,
  Run,
  RunRequest,
  RunStatus,
} from "@bosun/core";
import type { WatchStore } from "./watches.js";
import type { WebhookStore } from "./webhooks.js";

export type EventState = "queued" | "running" | "done";

/** A registry's push or an event created through the API, with its place in the queue. */
export type StoredEvent = BosunEvent & {
  state: EventState;
  /** How many times a worker claimed it. */
  attempts: number;
  /** A verified webhook's push (a subscription's verifyWith): what the registry said, once asked. */
  verification?: EventVerification;
};

export interface AcceptResult {
  /** Newly committed events, in input order. */
  accepted: StoredEvent[];
  /** Events that were already stored under the same (project, deliveryId): the earlier copy. */
  duplicates: StoredEvent[];
  /**
   * Pushes that joined an event gathering the tags of their digest (runPer: digest), rather than
   * making one: that event, with its tags as they now are.
   */
  merged: StoredEvent[];
  /** Pushes the store did not take, and why (a tag policy's best tag, a digest that came tagged). */
  declined: DeclinedPush[];
  /** The id of the delivery recorded with the events, when one was given. */
  recordedDelivery?: string;
}

export interface DeclinedPush {
  event: NewEvent;
  /** In words, e.g. "v1.2.0 is older than the best tag v1.3.0". */
  reason: string;
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
  /** The stored events its duplicates repeat, or that its pushes joined (runPer: digest). */
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

/** What the events and the runs of a listing have in common: where the image came from, and when. */
export interface EventFilters {
  project?: string;
  /** The registry kind the event came from: its source ("dockerhub", "harbor", "cli"...). */
  registry?: string;
  /** The pushed image's repository path ("myorg/app") and tag. */
  repository?: string;
  tag?: string;
  /** RFC 3339 (UTC, as stored): received (events) or created (runs) at or after. */
  since?: string;
  /** RFC 3339: received (events) or created (runs) before. */
  until?: string;
  /** Paging cursor: only entries with a lower id, the last id of the previous page. */
  before?: string;
  /** Newest first; at most this many (default 100). */
  limit?: number;
}

export type EventQuery = EventFilters;

export interface RunQuery extends EventFilters {
  eventId?: string;
  status?: RunStatus;
}

/** Why a rerun, retry or cancel was refused: a code of ERROR_CODES and what to tell the user. */
export interface RunRefusal {
  refused: "NOT_FOUND" | "RUN_IN_PROGRESS" | "RUN_NOT_RETRYABLE" | "RUN_FINISHED";
  message: string;
}

/** A queue depth from (state, count) rows; a state with no row counts 0. */
export function depthOf(rows: readonly { state: string; n: number | string }[]): QueueDepth {
  const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { queued: count("queued"), running: count("running") };
}

/** Events waiting for a worker (queued) and held by one (running). */
export interface QueueDepth {
  queued: number;
  running: number;
}

export interface LogQuery {
  runId: string;
  jobId?: string;
  /** Only entries with seq greater than this. */
  afterSeq?: number;
  limit?: number;
}

/**
 * A project made through the API (`bosun project add`), as stored: its block without secrets, and the
 * secrets sealed with the credentials key. Stores keep both as opaque strings.
 */
export interface StoredProject {
  name: string;
  /** The project's block as JSON, without `secrets` and `webhookToken`. */
  spec: string;
  /** `{secrets, webhookToken}` sealed; "" when it has neither. */
  sealed: string;
  /** 1 when created, one more at each update: replicas compare it to know what changed. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export type ProjectWrite = Pick<StoredProject, "name" | "spec" | "sealed">;

/**
 * The durable state of Bosun. Every method may reject with StoreUnavailableError when the backing
 * database cannot answer; nothing else about the backend leaks through.
 */
export interface Store {
  /** The watched registries' repositories: their tags as last polled, and who polls each. */
  readonly watches: WatchStore;
  /** The webhooks kept on registries for projects made through the API: their states, and who applies each. */
  readonly webhooks: WebhookStore;
  /**
   * Commits the events atomically, all or none, before resolving. A (project, deliveryId) already
   * stored is reported as a duplicate and not stored again. Image pushes follow the accept-time rules
   * (docs/gateways.md, "One push, one run"): a push whose admission names tag policies is taken only
   * when its tag becomes a best tag; a digest-only push waits (`holdMs`) and is dropped when its digest
   * arrives tagged, or declined when it already did; a push with `gatherMs` joins the event of its
   * digest still waiting, if there is one. Held events are not claimed before their time.
   * A `delivery` is recorded in the same
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
   * Keeps what the registry said of a verified webhook's push with the event `owner` holds. An
   * `unreachable` one hands the event back to the queue, not claimed again before its `retryAt`.
   * False when `owner` no longer holds the lease.
   */
  recordVerification(eventId: string, owner: string, verification: EventVerification): Promise<boolean>;
  /**
   * In-process hint that events were accepted, with their projects, so a local worker need not wait
   * for its next poll, nor search the queue when every one of those projects is at its limit.
   */
  onEventsAccepted(listener: (projects: readonly string[]) => void): () => void;

  createRun(run: NewRun): Promise<Run>;
  /**
   * Queues a finished run to be run again, in one unit of work: a new run, `queued`, with rerunOf or
   * retryOf and requestedBy, and its event back in the queue, claimed like any event; the worker that
   * claims it takes that run over (startRun). Refused while the event has a run queued or running,
   * and a retry of a run that succeeded.
   */
  requestRun(request: RunRequest): Promise<{ run: Run } | RunRefusal>;
  /** A queued run claimed by a worker becomes running with the claim's attempt; undefined when it is not queued. */
  startRun(id: string, attempt: number, handler: Run["handler"]): Promise<Run | undefined>;
  /**
   * Cancels a run: a queued one at once (it ends `cancelled` and its event leaves the queue); a
   * running one is marked cancelRequestedBy, which the worker holding it sees (onRunCancelRequested,
   * or when it renews its lease) and acts on. A finished run is refused.
   */
  cancelRun(id: string, requestedBy: string): Promise<{ run: Run } | RunRefusal>;
  /**
   * Cancels an event's queued or running run (as cancelRun); an event still queued with no run yet
   * gets one, recorded `cancelled`, and leaves the queue without ever starting. Refused once run.
   */
  cancelEvent(eventId: string, requestedBy: string): Promise<{ run: Run } | RunRefusal>;
  /** In-process (and, on PostgreSQL, cross-process) hint that a running run is to be cancelled. */
  onRunCancelRequested(listener: (runId: string) => void): () => void;
  /**
   * Only a running run is finished: one already finished keeps its outcome, so a worker that lost its
   * lease and ends late cannot overwrite "abandoned", recorded when the event was claimed again.
   */
  finishRun(
    id: string,
    status: Exclude<RunStatus, "running" | "queued">,
    error?: Run["error"],
  ): Promise<void>;
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

  /** Undefined when a project of that name is stored already. */
  createProject(project: ProjectWrite): Promise<StoredProject | undefined>;
  /** Replaces a stored project, one revision on; undefined when there is none of that name. */
  updateProject(project: ProjectWrite): Promise<StoredProject | undefined>;
  /** False when there was no such project. */
  removeProject(name: string): Promise<boolean>;
  /** By name. */
  listProjects(): Promise<StoredProject[]>;

  /** How many events wait and how many are being run, for the dashboard's health view. */
  queueDepth(): Promise<QueueDepth>;
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
