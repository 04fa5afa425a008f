import type { CredentialStore } from "../credentials/store.js";
import type { Store } from "../types.js";
import { openSqliteStore, type SqliteStoreOptions, type SqliteStoreWithCredentials } from "./index.js";
import { closedError } from "./unavailable.js";

/** Back-off between attempts to open: doubling from the first, up to the last. */
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5_000;

/**
 * Opens the store like openSqliteStore, but a database that cannot be opened because of where it
 * lives (a read-only, full or missing data directory; any I/O or SQLite failure) does not stop the
 * caller: it gets a store that answers StoreUnavailableError and opens the database on a later call,
 * with back-off, once it can. Other failures (a schema newer than this Bosun) still reject.
 * `onFailure` hears each failed attempt, for the log.
 */
export async function openSqliteStoreReopening(
  options: SqliteStoreOptions,
  onFailure?: (err: Error) => void,
): Promise<SqliteStoreWithCredentials> {
  try {
    return await openSqliteStore(options);
  } catch (err) {
    if (!fromEnvironment(err)) throw err;
    onFailure?.(err as Error);
    return new ReopeningStore(() => openSqliteStore(options), err, onFailure);
  }
}

/** An error with an errno (EROFS, ENOSPC…) or a SQLite code somewhere in its causes. */
function fromEnvironment(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const { errcode, errno } = e as Error & { errcode?: number; errno?: number };
    if (errcode !== undefined || errno !== undefined) return true;
  }
  return false;
}

type Listener = (projects: readonly string[]) => void;

class ReopeningStore implements SqliteStoreWithCredentials {
  readonly #open: () => Promise<SqliteStoreWithCredentials>;
  readonly #onFailure: ((err: Error) => void) | undefined;
  #store: SqliteStoreWithCredentials | undefined;
  #opening: Promise<SqliteStoreWithCredentials> | undefined;
  #failed: { err: unknown; at: number; waitMs: number };
  #closed = false;
  /** Subscriptions made before the database opened, each with its unsubscribe once it did. */
  readonly #listeners = new Map<Listener, (() => void) | undefined>();

  constructor(
    open: () => Promise<SqliteStoreWithCredentials>,
    err: unknown,
    onFailure?: (err: Error) => void,
  ) {
    this.#open = open;
    this.#onFailure = onFailure;
    this.#failed = { err, at: performance.now(), waitMs: FIRST_RETRY_MS };
  }

  readonly credentials: CredentialStore = {
    put: (c) => this.#use((s) => s.credentials.put(c)),
    remove: (project, kind, target) => this.#use((s) => s.credentials.remove(project, kind, target)),
    list: (project) => this.#use((s) => s.credentials.list(project)),
    sealedFor: (project) => this.#use((s) => s.credentials.sealedFor(project)),
  };

  acceptEvents: Store["acceptEvents"] = (events) => this.#use((s) => s.acceptEvents(events));
  getEvent: Store["getEvent"] = (id) => this.#use((s) => s.getEvent(id));
  listEvents: Store["listEvents"] = (query) => this.#use((s) => s.listEvents(query));
  claimEvent: Store["claimEvent"] = (options) => this.#use((s) => s.claimEvent(options));
  renewLease: Store["renewLease"] = (id, owner, ms) => this.#use((s) => s.renewLease(id, owner, ms));
  finishEvent: Store["finishEvent"] = (id, owner) => this.#use((s) => s.finishEvent(id, owner));
  createRun: Store["createRun"] = (run) => this.#use((s) => s.createRun(run));
  finishRun: Store["finishRun"] = (id, status, error) => this.#use((s) => s.finishRun(id, status, error));
  getRun: Store["getRun"] = (id) => this.#use((s) => s.getRun(id));
  listRuns: Store["listRuns"] = (query) => this.#use((s) => s.listRuns(query));
  deleteRuns: Store["deleteRuns"] = (ids) => this.#use((s) => s.deleteRuns(ids));
  createJob: Store["createJob"] = (job) => this.#use((s) => s.createJob(job));
  updateJob: Store["updateJob"] = (id, patch) => this.#use((s) => s.updateJob(id, patch));
  listJobs: Store["listJobs"] = (runId) => this.#use((s) => s.listJobs(runId));
  appendLogs: Store["appendLogs"] = (entries) => this.#use((s) => s.appendLogs(entries));
  readLogs: Store["readLogs"] = (query) => this.#use((s) => s.readLogs(query));
  ping: Store["ping"] = () => this.#use((s) => s.ping());

  onEventsAccepted(listener: Listener): () => void {
    if (this.#store) return this.#store.onEventsAccepted(listener);
    const entry: Listener = (projects) => listener(projects);
    this.#listeners.set(entry, undefined);
    return () => {
      this.#listeners.get(entry)?.();
      this.#listeners.delete(entry);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const store = this.#store ?? (await this.#opening?.catch(() => undefined));
    await store?.close();
  }

  async #use<T>(call: (store: SqliteStoreWithCredentials) => Promise<T>): Promise<T> {
    return call(this.#store ?? (await this.#connect()));
  }

  /** One attempt at a time, none before the back-off has passed: until then, the last failure. */
  #connect(): Promise<SqliteStoreWithCredentials> {
    if (this.#closed) return Promise.reject(closedError("opening the database"));
    const failed = this.#failed;
    if (!this.#opening && performance.now() - failed.at < failed.waitMs) return Promise.reject(failed.err);
    this.#opening ??= this.#open().then(
      (store) => {
        this.#store = store;
        for (const entry of this.#listeners.keys()) this.#listeners.set(entry, store.onEventsAccepted(entry));
        return store;
      },
      (err: unknown) => {
        this.#opening = undefined;
        this.#failed = { err, at: performance.now(), waitMs: Math.min(failed.waitMs * 2, LAST_RETRY_MS) };
        this.#onFailure?.(err as Error);
        throw err;
      },
    );
    return this.#opening;
  }
}
