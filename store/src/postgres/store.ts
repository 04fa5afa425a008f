import { PgWatchStore } from "./watches.js";
import { PgWebhookStore } from "./webhooks.js";
import type pg from "pg";
import type {
  JobRecord,
  LogEntry,
  NewEvent,
  NewJob,
  NewLogEntry,
  NewRun,
  Run,
  RunRequest,
  RunStatus,
  EventVerification,
} from "@bosun/core";
import { admissionKindOf, digestKeyOf, needsAdmission } from "../admission.js";
import { checkNewEvent } from "../new-event.js";
import { admitEvents, digestLock, dropHeldDigestOnly, lock } from "./admission.js";
import { acceptOutcome, newDeliveryRecord } from "../deliveries.js";
import { now } from "../rows.js";
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
import { acceptAll, acceptedProjects, acceptOne, type Accepted, type AcceptItem } from "./accept.js";
import * as deliveries from "./deliveries.js";
import * as events from "./events.js";
import { PgGroupCommitter } from "./group-commit.js";
import { appendLogs, readLogs } from "./logs.js";
import { acceptNotice, ACCEPTED_CHANNEL, CANCEL_CHANNEL } from "./notifications.js";
import type { Queryable } from "./rows.js";
import * as projects from "./projects.js";
import * as runs from "./runs.js";
import { closedError, unavailable } from "./unavailable.js";
import { AcceptListeners, Listeners } from "../accept-listeners.js";

/**
 * The Store on a PostgreSQL connection pool, shared by any number of gateway and worker processes.
 * Accepts are group-committed; every other write is one autocommitted statement or a short
 * transaction, durable when it returns (synchronous_commit is on for every session).
 */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  /** Identifies this store in accept notices, so its own are not delivered twice. */
  readonly origin: string;
  readonly #committer: PgGroupCommitter<AcceptItem, Accepted>;
  readonly #listeners = new AcceptListeners();
  readonly #cancelListeners = new Listeners<string>();
  readonly #onClose: () => Promise<void>;
  #closed = false;
  readonly watches = new PgWatchStore(
    (doing, work) => this.#run(doing, work),
    (doing, work) => this.#transaction(doing, work),
  );
  readonly webhooks = new PgWebhookStore((doing, work) => this.#run(doing, work));

  constructor(pool: pg.Pool, origin: string, onClose: () => Promise<void> = async () => undefined) {
    this.#pool = pool;
    this.origin = origin;
    this.#onClose = onClose;
    const notice = (projects: readonly string[]) => acceptNotice(origin, projects);
    this.#committer = new PgGroupCommitter({
      connect: () => pool.connect(),
      // NOTIFY in the statements that insert: other processes hear of the events when, and only
      // when, they are committed.
      applyAll: (client, items) => acceptAll(client, items, notice),
      applyOne: (client, item) => acceptOne(client, item, notice),
      afterCommit: (committed) => {
        const projects = acceptedProjects(committed);
        if (projects.length > 0) this.deliver(projects);
      },
    });
  }

  async acceptEvents(list: readonly NewEvent[], delivery?: NewDelivery): Promise<AcceptResult> {
    list.forEach(checkNewEvent);
    if (list.length === 0) return { accepted: [], duplicates: [], merged: [], declined: [] };
    const doing = `accepting ${list.length} event${list.length === 1 ? "" : "s"}`;
    if (this.#closed) throw closedError(doing);
    if (list.some(needsAdmission)) {
      const result = await this.#transaction(doing, async (db) => {
        const admitted = await admitEvents(db, list, now(), (projects) =>
          acceptNotice(this.origin, projects),
        );
        if (!delivery) return admitted;
        // In the events' transaction: the delivery is on record exactly when its events are.
        const record = newDeliveryRecord(delivery, now(), acceptOutcome(admitted), admitted);
        await deliveries.insertDeliveries(db as pg.ClientBase, [{ record, keep: delivery.keep }]);
        return { ...admitted, recordedDelivery: record.id };
      });
      const projects = acceptedProjects([result]);
      if (projects.length > 0) this.deliver(projects);
      return result;
    }
    const { recorded: _recorded, ...result } = await this.#committer
      .run({ events: list, delivery })
      .catch((err: unknown) => {
        throw unavailable(doing, err);
      });
    // Committed before its digests are locked: a digest-only push accepted meanwhile either saw these
    // (and was declined) or is committed by now, and is dropped here.
    const keys = list.flatMap((e) => (admissionKindOf(e) === "tagged" ? [digestKeyOf(e)!] : []));
    if (keys.length > 0)
      await this.#transaction(doing, async (db) => {
        await lock(db, keys.map(digestLock));
        await dropHeldDigestOnly(db, keys);
      });
    return result;
  }

  /** Through the accept batches: a flood of ignored deliveries costs a commit per batch, not each. */
  async recordDelivery(delivery: NewDelivery & { outcome: "ignored" | "rejected" }): Promise<Delivery> {
    const doing = `recording a delivery to ${delivery.project}`;
    if (this.#closed) throw closedError(doing);
    const result = await this.#committer.run({ events: [], delivery }).catch((err: unknown) => {
      throw unavailable(doing, err);
    });
    return result.recorded!;
  }

  getDelivery(id: string): Promise<Delivery | undefined> {
    return this.#run(`reading delivery ${id}`, (db) => deliveries.getDelivery(db, id));
  }

  listDeliveries(query: DeliveryQuery = {}): Promise<Delivery[]> {
    return this.#run("listing deliveries", (db) => deliveries.listDeliveries(db, query));
  }

  pruneDeliveries(olderThan: string): Promise<number> {
    return this.#run("pruning old deliveries", (db) => deliveries.pruneDeliveries(db, olderThan));
  }

  getEvent(id: string): Promise<StoredEvent | undefined> {
    return this.#run(`reading event ${id}`, (db) => events.getEvent(db, id));
  }

  listEvents(query: EventQuery = {}): Promise<StoredEvent[]> {
    return this.#run("listing events", (db) => events.listEvents(db, query));
  }

  claimEvent(options: ClaimOptions): Promise<Claim | undefined> {
    return this.#transaction("claiming an event", (db) => events.claimEvent(db, options));
  }

  renewLease(eventId: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.#run(`renewing the lease on event ${eventId}`, (db) =>
      events.renewLease(db, eventId, owner, leaseMs),
    );
  }

  recordVerification(eventId: string, owner: string, verification: EventVerification): Promise<boolean> {
    return this.#run(`recording the verification of event ${eventId}`, (db) =>
      events.recordVerification(db, eventId, owner, verification),
    );
  }

  finishEvent(eventId: string, owner: string): Promise<boolean> {
    return this.#run(`finishing event ${eventId}`, (db) => events.finishEvent(db, eventId, owner));
  }

  onEventsAccepted(listener: (projects: readonly string[]) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Tells the listeners: after a local commit, or on a notice from another process. */
  deliver(projects: readonly string[]): void {
    this.#listeners.tell(projects);
  }

  createRun(run: NewRun): Promise<Run> {
    return this.#run(`creating a run for event ${run.eventId}`, (db) => runs.createRun(db, run));
  }

  /** The event goes back to the queue with a NOTIFY, as an accepted one, delivered on commit. */
  async requestRun(request: RunRequest): Promise<{ run: Run } | RunRefusal> {
    const result = await this.#transaction(
      `queuing a ${request.kind} of run ${request.runId}`,
      async (db) => {
        const outcome = await runs.requestRun(db, request);
        if ("run" in outcome)
          await db.query("SELECT pg_notify($1, $2)", [
            ACCEPTED_CHANNEL,
            acceptNotice(this.origin, [outcome.run.project]),
          ]);
        return outcome;
      },
    );
    if ("run" in result) this.deliver([result.run.project]);
    return result;
  }

  startRun(id: string, attempt: number, handler: Run["handler"]): Promise<Run | undefined> {
    return this.#run(`starting run ${id}`, (db) => runs.startRun(db, id, attempt, handler));
  }

  /** A running run's cancel NOTIFYs every process; the one holding the run acts on it. */
  cancelRun(id: string, requestedBy: string): Promise<{ run: Run } | RunRefusal> {
    return this.#cancel(`cancelling run ${id}`, (db) => runs.cancelRun(db, id, requestedBy));
  }

  cancelEvent(eventId: string, requestedBy: string): Promise<{ run: Run } | RunRefusal> {
    return this.#cancel(`cancelling event ${eventId}`, (db) => runs.cancelEvent(db, eventId, requestedBy));
  }

  async #cancel(
    doing: string,
    work: (db: Queryable) => Promise<{ run: Run } | RunRefusal>,
  ): Promise<{ run: Run } | RunRefusal> {
    const result = await this.#transaction(doing, async (db) => {
      const outcome = await work(db);
      if ("run" in outcome && outcome.run.status === "running")
        await db.query("SELECT pg_notify($1, $2)", [CANCEL_CHANNEL, outcome.run.id]);
      return outcome;
    });
    if ("run" in result && result.run.status === "running") this.deliverCancel(result.run.id);
    return result;
  }

  onRunCancelRequested(listener: (runId: string) => void): () => void {
    return this.#cancelListeners.add(listener);
  }

  /** Tells the cancel listeners: after a local cancel, or on a notice (also of this process's own). */
  deliverCancel(runId: string): void {
    this.#cancelListeners.tell(runId);
  }

  finishRun(
    id: string,
    status: Exclude<RunStatus, "running" | "queued">,
    error?: Run["error"],
  ): Promise<void> {
    return this.#run(`finishing run ${id}`, (db) => runs.finishRun(db, id, status, error));
  }

  getRun(id: string): Promise<Run | undefined> {
    return this.#run(`reading run ${id}`, (db) => runs.getRun(db, id));
  }

  listRuns(query: RunQuery = {}): Promise<Run[]> {
    return this.#run("listing runs", (db) => runs.listRuns(db, query));
  }

  deleteRuns(ids: readonly string[]): Promise<number> {
    return this.#transaction(`deleting ${ids.length} runs`, async (db) => {
      let deleted = 0;
      for (const id of ids) if (await runs.deleteRun(db, id)) deleted++;
      return deleted;
    });
  }

  createJob(job: NewJob): Promise<JobRecord> {
    return this.#run(`creating job ${job.name} of run ${job.runId}`, (db) => runs.createJob(db, job));
  }

  updateJob(id: string, patch: runs.JobPatch): Promise<void> {
    return this.#run(`updating job ${id}`, (db) => runs.updateJob(db, id, patch));
  }

  listJobs(runId: string): Promise<JobRecord[]> {
    return this.#run(`listing the jobs of run ${runId}`, (db) => runs.listJobs(db, runId));
  }

  async appendLogs(entries: readonly NewLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    return this.#run(`appending ${entries.length} log entries`, (db) => appendLogs(db, entries));
  }

  readLogs(query: LogQuery): Promise<LogEntry[]> {
    return this.#run(`reading the logs of run ${query.runId}`, (db) => readLogs(db, query));
  }

  /** The server answers and can commit: a standby (in recovery) is read-only, so not ready. */
  createProject(project: ProjectWrite): Promise<StoredProject | undefined> {
    return this.#run(`creating project ${project.name}`, (db) => projects.createProject(db, project));
  }

  updateProject(project: ProjectWrite): Promise<StoredProject | undefined> {
    return this.#run(`updating project ${project.name}`, (db) => projects.updateProject(db, project));
  }

  removeProject(name: string): Promise<boolean> {
    return this.#run(`removing project ${name}`, (db) => projects.removeProject(db, name));
  }

  listProjects(): Promise<StoredProject[]> {
    return this.#run("listing projects", (db) => projects.listProjects(db));
  }

  queueDepth(): Promise<QueueDepth> {
    return this.#run("counting the queue", (db) => events.queueDepth(db));
  }

  async ping(): Promise<void> {
    const doing = "checking the database";
    const { rows } = await this.#run(doing, (db) =>
      db.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby"),
    );
    if (rows[0]?.standby) throw unavailable(doing, new Error("the server is a read-only standby"));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#cancelListeners.clear();
    try {
      await this.#onClose();
    } finally {
      await this.#pool.end().catch(() => undefined);
    }
  }

  /** Runs queries with the pool; any failure becomes StoreUnavailableError. */
  async #run<T>(doing: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError(doing);
    try {
      return await work(this.#pool);
    } catch (err) {
      throw unavailable(doing, err);
    }
  }

  /** Runs `work` in a transaction on one connection of the pool. */
  async #transaction<T>(doing: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError(doing);
    let client: pg.PoolClient | undefined;
    let broken = false;
    try {
      client = await this.#pool.connect();
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      broken = true;
      await client?.query("ROLLBACK").catch(() => undefined);
      throw unavailable(doing, err);
    } finally {
      client?.release(broken);
    }
  }

  /** For the credential store, which shares the pool. */
  readonly runQuery = <T>(doing: string, work: (db: Queryable) => Promise<T>): Promise<T> =>
    this.#run(doing, work);
}
