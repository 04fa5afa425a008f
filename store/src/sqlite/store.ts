import { SqliteWatchStore } from "./watches.js";
import { SqliteWebhookStore } from "./webhooks.js";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { statfs } from "node:fs/promises";
import type {
  NewEvent,
  JobRecord,
  LogEntry,
  NewJob,
  NewLogEntry,
  NewRun,
  Run,
  RunRequest,
  RunStatus,
  EventVerification,
} from "@bosun/core";
import type {
  AcceptResult,
  Claim,
  ClaimOptions,
  Delivery,
  DeliveryQuery,
  EventQuery,
  LogQuery,
  ProjectWrite,
  QueueDepth,
  NewDelivery,
  RunQuery,
  RunRefusal,
  Store,
  StoredEvent,
  StoredProject,
} from "../types.js";
import { admissionKindOf, needsAdmission } from "../admission.js";
import { checkNewEvent } from "../new-event.js";
import { acceptOutcome, newDeliveryRecord } from "../deliveries.js";
import { DeliveryTable } from "./deliveries.js";
import { EventTable } from "./events.js";
import { GroupCommitter } from "./group-commit.js";
import { LogTable } from "./logs.js";
import { ProjectTable } from "./projects.js";
import { now } from "./rows.js";
import type { JobPatch } from "./runs.js";
import { RunTables } from "./runs.js";
import { attempt, closedError, unavailable } from "./unavailable.js";
import { AcceptListeners, Listeners } from "../accept-listeners.js";

/**
 * The Store on one SQLite connection. Every write goes through the group committer (batched, durable
 * before it resolves); reads run directly, which is safe because a batch never yields mid-transaction.
 */
/** Makes commits durable off the event loop (see GroupCommitter). */
export interface WalSync {
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface SqliteStoreParts {
  wal?: WalSync | undefined;
  /** See GroupCommitOptions.busyBudgetMs. */
  busyBudgetMs?: number | undefined;
  /** The directory of the database file, whose free space readiness checks. */
  dir?: string | undefined;
}

/** How long the outcome of a commit (or probe) answers readiness before a new probe is made. */
const READY_FOR_MS = 1_000;
/** Less free space than this on the database's file system: not ready, before commits start failing. */
export const MIN_FREE_BYTES = 1024 * 1024;
/** The probe rewrites this many bytes, so that it needs pages of its own, like a push. */
const PROBE_BYTES = 64 * 1024;

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #committer: GroupCommitter;
  readonly #events: EventTable;
  readonly #runs: RunTables;
  readonly #logs: LogTable;
  readonly #projects: ProjectTable;
  readonly #deliveries: DeliveryTable;
  readonly #listeners = new AcceptListeners();
  readonly #cancelListeners = new Listeners<string>();
  /** Projects with events accepted in the batch being committed, for the listeners' hint. */
  #acceptedProjects = new Set<string>();
  #closed = false;

  readonly #wal: WalSync | undefined;
  readonly #dir: string | undefined;
  /** The last batch's outcome (undefined: committed), and when; for readiness. */
  #outcome: { failure: unknown; at: number } | undefined;
  #probing: Promise<void> | undefined;
  #probeRow: StatementSync | undefined;

  constructor(db: DatabaseSync, parts: SqliteStoreParts = {}) {
    const { wal } = parts;
    this.#wal = wal;
    this.#dir = parts.dir;
    this.#db = db;
    this.#committer = new GroupCommitter(db, {
      sync: wal && (() => wal.sync()),
      busyBudgetMs: parts.busyBudgetMs,
      onOutcome: (failure) => (this.#outcome = { failure, at: performance.now() }),
    });
    this.#events = new EventTable(db);
    this.#runs = new RunTables(db);
    this.#logs = new LogTable(db);
    this.#projects = new ProjectTable(db);
    this.watches = new SqliteWatchStore(db, wal && (() => wal.sync()), parts.busyBudgetMs);
    this.webhooks = new SqliteWebhookStore(db, wal && (() => wal.sync()), parts.busyBudgetMs);
    this.#deliveries = new DeliveryTable(db);
  }

  readonly watches: SqliteWatchStore;
  readonly webhooks: SqliteWebhookStore;

  async acceptEvents(events: readonly NewEvent[], delivery?: NewDelivery): Promise<AcceptResult> {
    events.forEach(checkNewEvent);
    if (events.length === 0) return { accepted: [], duplicates: [], merged: [], declined: [] };
    const doing = `accepting ${events.length} event${events.length === 1 ? "" : "s"}`;
    return this.#committer.run(
      doing,
      (batch) => {
        const at = now();
        const result = this.#events.insert(events, at);
        if (result.accepted.length > 0) {
          for (const e of result.accepted) this.#acceptedProjects.add(e.project);
          batch.afterCommit(this.#notifyAccepted);
        }
        if (!delivery) return result;
        // In the events' unit: the delivery is on record exactly when its events are.
        const record = newDeliveryRecord(delivery, at, acceptOutcome(result), result);
        this.#deliveries.insert(record, delivery.keep);
        return { ...result, recordedDelivery: record.id };
      },
      // A push the rules read for, or one that may drop a waiting digest-only push, writes more than
      // once; a delivery recorded with the events makes the unit a batch (no savepoint of its own).
      delivery
        ? "batch"
        : events.length === 1 && admissionKindOf(events[0]!) === "plain" && !needsAdmission(events[0]!)
          ? "statement"
          : "statements",
    );
  }

  recordDelivery(delivery: NewDelivery & { outcome: "ignored" | "rejected" }): Promise<Delivery> {
    return this.#committer.run(
      `recording a delivery to ${delivery.project}`,
      () => {
        const record = newDeliveryRecord(delivery, now(), delivery.outcome);
        this.#deliveries.insert(record, delivery.keep);
        return record;
      },
      "batch",
    );
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    return this.#read(`reading delivery ${id}`, () => this.#deliveries.get(id));
  }

  async listDeliveries(query: DeliveryQuery = {}): Promise<Delivery[]> {
    return this.#read("listing deliveries", () => this.#deliveries.list(query));
  }

  pruneDeliveries(olderThan: string): Promise<number> {
    return this.#committer.run(
      "pruning old deliveries",
      () => this.#deliveries.pruneBefore(olderThan),
      "statement",
    );
  }

  async getEvent(id: string): Promise<StoredEvent | undefined> {
    return this.#read(`reading event ${id}`, () => this.#events.get(id));
  }

  async listEvents(query: EventQuery = {}): Promise<StoredEvent[]> {
    return this.#read("listing events", () => this.#events.list(query));
  }

  claimEvent(options: ClaimOptions): Promise<Claim | undefined> {
    return this.#committer.run("claiming an event", () => this.#events.claim(options), "statement");
  }

  renewLease(eventId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#committer.run(
      `renewing the lease on event ${eventId}`,
      () => this.#events.renew(eventId, owner, leaseMs),
      "statement",
    );
  }

  recordVerification(eventId: string, owner: string, verification: EventVerification): Promise<boolean> {
    return this.#committer.run(
      `recording the verification of event ${eventId}`,
      () => this.#events.recordVerification(eventId, owner, verification),
      "statement",
    );
  }

  finishEvent(eventId: string, owner: string): Promise<boolean> {
    return this.#committer.run(
      `finishing event ${eventId}`,
      () => this.#events.finish(eventId, owner),
      "statement",
    );
  }

  onEventsAccepted(listener: (projects: readonly string[]) => void): () => void {
    return this.#listeners.add(listener);
  }

  createRun(run: NewRun): Promise<Run> {
    return this.#committer.run(
      `creating a run for event ${run.eventId}`,
      () => this.#runs.createRun(run),
      "statement",
    );
  }

  requestRun(request: RunRequest): Promise<{ run: Run } | RunRefusal> {
    return this.#committer.run(`queuing a ${request.kind} of run ${request.runId}`, (batch) => {
      const result = this.#runs.requestRun(request);
      if ("run" in result) {
        this.#acceptedProjects.add(result.run.project);
        batch.afterCommit(this.#notifyAccepted);
      }
      return result;
    });
  }

  startRun(id: string, attempt: number, handler: Run["handler"]): Promise<Run | undefined> {
    return this.#committer.run(
      `starting run ${id}`,
      () => this.#runs.startRun(id, attempt, handler),
      "statement",
    );
  }

  cancelRun(id: string, requestedBy: string): Promise<{ run: Run } | RunRefusal> {
    return this.#committer.run(`cancelling run ${id}`, (batch) => {
      const result = this.#runs.cancelRun(id, requestedBy);
      if ("run" in result && result.run.status === "running")
        batch.afterCommit(() => this.#cancelListeners.tell(id));
      return result;
    });
  }

  cancelEvent(eventId: string, requestedBy: string): Promise<{ run: Run } | RunRefusal> {
    return this.#committer.run(`cancelling event ${eventId}`, (batch) => {
      const result = this.#runs.cancelEvent(eventId, requestedBy);
      if ("run" in result && result.run.status === "running")
        batch.afterCommit(() => this.#cancelListeners.tell(result.run.id));
      return result;
    });
  }

  onRunCancelRequested(listener: (runId: string) => void): () => void {
    return this.#cancelListeners.add(listener);
  }

  finishRun(
    id: string,
    status: Exclude<RunStatus, "running" | "queued">,
    error?: Run["error"],
  ): Promise<void> {
    return this.#committer.run(
      `finishing run ${id}`,
      () => this.#runs.finishRun(id, status, error),
      "statement",
    );
  }

  async getRun(id: string): Promise<Run | undefined> {
    return this.#read(`reading run ${id}`, () => this.#runs.getRun(id));
  }

  deleteRuns(ids: readonly string[]): Promise<number> {
    return this.#committer.run(
      `deleting ${ids.length} runs`,
      () => ids.filter((id) => this.#runs.deleteRun(id)).length,
    );
  }

  async listRuns(query: RunQuery = {}): Promise<Run[]> {
    return this.#read("listing runs", () => this.#runs.listRuns(query));
  }

  createJob(job: NewJob): Promise<JobRecord> {
    return this.#committer.run(`creating job ${job.name} of run ${job.runId}`, () =>
      this.#runs.createJob(job),
    );
  }

  updateJob(id: string, patch: JobPatch): Promise<void> {
    return this.#committer.run(`updating job ${id}`, () => this.#runs.updateJob(id, patch));
  }

  async listJobs(runId: string): Promise<JobRecord[]> {
    return this.#read(`listing the jobs of run ${runId}`, () => this.#runs.listJobs(runId));
  }

  async appendLogs(entries: readonly NewLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    return this.#committer.run(`appending ${entries.length} log entries`, () => this.#logs.append(entries));
  }

  async readLogs(query: LogQuery): Promise<LogEntry[]> {
    return this.#read(`reading the logs of run ${query.runId}`, () => this.#logs.read(query));
  }

  createProject(project: ProjectWrite): Promise<StoredProject | undefined> {
    const doing = `creating project ${project.name}`;
    return this.#committer.run(doing, () => this.#projects.create(project), "statement");
  }

  updateProject(project: ProjectWrite): Promise<StoredProject | undefined> {
    const doing = `updating project ${project.name}`;
    return this.#committer.run(doing, () => this.#projects.update(project), "statement");
  }

  removeProject(name: string): Promise<boolean> {
    return this.#committer.run(`removing project ${name}`, () => this.#projects.remove(name), "statement");
  }

  async listProjects(): Promise<StoredProject[]> {
    return this.#read("listing projects", () => this.#projects.list());
  }

  async queueDepth(): Promise<QueueDepth> {
    return this.#read("counting the queue", () => this.#events.depth());
  }

  /**
   * Whether a commit can succeed: enough free space on the database's file system (small commits may
   * still fit where a push does not), and the outcome of the last commit when it is recent, else a
   * probe that writes (and syncs) a row of its own; concurrent callers share one probe.
   */
  async ping(): Promise<void> {
    const doing = "checking the database";
    if (this.#closed) throw closedError(doing);
    const free = this.#dir === undefined ? Infinity : await freeBytes(this.#dir);
    if (free < MIN_FREE_BYTES) {
      throw unavailable(doing, new Error(`only ${free} bytes are free on the database's file system`));
    }
    const recent = this.#outcome && performance.now() - this.#outcome.at < READY_FOR_MS;
    if (!recent) {
      this.#probing ??= this.#probe(doing).finally(() => (this.#probing = undefined));
      return this.#probing;
    }
    const failure = this.#outcome?.failure;
    if (failure !== undefined) throw unavailable(doing, failure);
  }

  async #probe(doing: string): Promise<void> {
    this.#probeRow ??= attempt(doing, () =>
      this.#db.prepare(
        `INSERT INTO readiness_probe (id, filler) VALUES (1, zeroblob(?))
         ON CONFLICT (id) DO UPDATE SET filler = excluded.filler`,
      ),
    );
    const probe = this.#probeRow;
    await this.#committer.run(doing, () => probe.run(PROBE_BYTES), "statement");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#cancelListeners.clear();
    try {
      this.#committer.close();
    } finally {
      attempt("closing the database", () => this.#db.close());
    }
    await this.#wal?.close();
  }

  #read<T>(doing: string, work: () => T): T {
    if (this.#closed) throw closedError(doing);
    return attempt(doing, work);
  }

  /** Bound once so the committer can deduplicate it within a batch. */
  readonly #notifyAccepted = (): void => {
    const projects = [...this.#acceptedProjects];
    this.#acceptedProjects = new Set();
    this.#listeners.tell(projects);
  };
}

/** Free bytes for unprivileged writers; Infinity when the file system cannot say (the probe decides). */
function freeBytes(dir: string): Promise<number> {
  return statfs(dir).then(
    (s) => s.bavail * s.bsize,
    () => Infinity,
  );
}
