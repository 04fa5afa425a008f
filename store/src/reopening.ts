/** A store that opens its database later, when it could not at start (see each store's reopening.ts). */
import type { CredentialStore } from "./credentials/store.js";
import type { Store } from "./types.js";

export type StoreWithCredentials = Store & { readonly credentials: CredentialStore };

/** Back-off between attempts to open: doubling from the first, up to the last. */
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5_000;

/**
 * Opens the store with `open`; when that fails in a way `worthWaiting` says time may fix, the caller
 * gets a ReopeningStore instead, which tries again on later calls. `onFailure` hears each failure.
 */
export async function openOrReopenLater(
  open: () => Promise<StoreWithCredentials>,
  worthWaiting: (err: unknown) => boolean,
  closedError: (doing: string) => Error,
  onFailure?: (err: Error) => void,
): Promise<StoreWithCredentials> {
  try {
    return await open();
  } catch (err) {
    if (!worthWaiting(err)) throw err;
    onFailure?.(err as Error);
    return new ReopeningStore(open, err, closedError, onFailure);
  }
}

/** A subscription made before the database opened: how to make it on the store once it has. */
type Subscribe = (store: Store) => () => void;

/**
 * A store whose database could not be opened yet: every call answers the last failure
 * (StoreUnavailableError) until the back-off has passed, then tries to open it again; once open,
 * calls go to the opened store, and listeners subscribed meanwhile are moved onto it.
 */
export class ReopeningStore implements StoreWithCredentials {
  readonly #open: () => Promise<StoreWithCredentials>;
  readonly #onFailure: ((err: Error) => void) | undefined;
  #store: StoreWithCredentials | undefined;
  #opening: Promise<StoreWithCredentials> | undefined;
  #failed: { err: unknown; at: number; waitMs: number };
  #closed = false;
  /** Subscriptions made before the database opened, each with its unsubscribe once it did. */
  readonly #listeners = new Map<Subscribe, (() => void) | undefined>();

  readonly #closedError: (doing: string) => Error;

  constructor(
    open: () => Promise<StoreWithCredentials>,
    err: unknown,
    closedError: (doing: string) => Error,
    onFailure?: (err: Error) => void,
  ) {
    this.#open = open;
    this.#closedError = closedError;
    this.#onFailure = onFailure;
    this.#failed = { err, at: performance.now(), waitMs: FIRST_RETRY_MS };
  }

  readonly credentials: CredentialStore = {
    put: (c) => this.#use((s) => s.credentials.put(c)),
    remove: (project, kind, target) => this.#use((s) => s.credentials.remove(project, kind, target)),
    list: (project) => this.#use((s) => s.credentials.list(project)),
    sealedFor: (project) => this.#use((s) => s.credentials.sealedFor(project)),
    createServiceAccount: (name) => this.#use((s) => s.credentials.createServiceAccount(name)),
    listServiceAccounts: () => this.#use((s) => s.credentials.listServiceAccounts()),
    removeServiceAccount: (name) => this.#use((s) => s.credentials.removeServiceAccount(name)),
  };

  readonly watches: Store["watches"] = {
    known: (account, repository) => this.#use((s) => s.watches.known(account, repository)),
    record: (account, repository, tags) => this.#use((s) => s.watches.record(account, repository, tags)),
    lease: (account, repository, owner, ms) =>
      this.#use((s) => s.watches.lease(account, repository, owner, ms)),
    release: (account, repository, owner) => this.#use((s) => s.watches.release(account, repository, owner)),
    list: (account) => this.#use((s) => s.watches.list(account)),
  };

  readonly webhooks: Store["webhooks"] = {
    lease: (project, owner, ms) => this.#use((s) => s.webhooks.lease(project, owner, ms)),
    release: (project, owner) => this.#use((s) => s.webhooks.release(project, owner)),
    record: (project, owner, state) => this.#use((s) => s.webhooks.record(project, owner, state)),
    forget: (project, owner) => this.#use((s) => s.webhooks.forget(project, owner)),
    list: () => this.#use((s) => s.webhooks.list()),
  };

  acceptEvents: Store["acceptEvents"] = (events, delivery) =>
    this.#use((s) => s.acceptEvents(events, delivery));
  recordDelivery: Store["recordDelivery"] = (delivery) => this.#use((s) => s.recordDelivery(delivery));
  getDelivery: Store["getDelivery"] = (id) => this.#use((s) => s.getDelivery(id));
  listDeliveries: Store["listDeliveries"] = (query) => this.#use((s) => s.listDeliveries(query));
  pruneDeliveries: Store["pruneDeliveries"] = (olderThan) => this.#use((s) => s.pruneDeliveries(olderThan));
  getEvent: Store["getEvent"] = (id) => this.#use((s) => s.getEvent(id));
  listEvents: Store["listEvents"] = (query) => this.#use((s) => s.listEvents(query));
  claimEvent: Store["claimEvent"] = (options) => this.#use((s) => s.claimEvent(options));
  renewLease: Store["renewLease"] = (id, owner, ms) => this.#use((s) => s.renewLease(id, owner, ms));
  finishEvent: Store["finishEvent"] = (id, owner) => this.#use((s) => s.finishEvent(id, owner));
  recordVerification: Store["recordVerification"] = (id, owner, v) =>
    this.#use((s) => s.recordVerification(id, owner, v));
  createRun: Store["createRun"] = (run) => this.#use((s) => s.createRun(run));
  createProject: Store["createProject"] = (p) => this.#use((s) => s.createProject(p));
  updateProject: Store["updateProject"] = (p) => this.#use((s) => s.updateProject(p));
  removeProject: Store["removeProject"] = (name) => this.#use((s) => s.removeProject(name));
  listProjects: Store["listProjects"] = () => this.#use((s) => s.listProjects());
  requestRun: Store["requestRun"] = (request) => this.#use((s) => s.requestRun(request));
  startRun: Store["startRun"] = (id, attempt, handler) => this.#use((s) => s.startRun(id, attempt, handler));
  cancelRun: Store["cancelRun"] = (id, by) => this.#use((s) => s.cancelRun(id, by));
  cancelEvent: Store["cancelEvent"] = (id, by) => this.#use((s) => s.cancelEvent(id, by));
  finishRun: Store["finishRun"] = (id, status, error) => this.#use((s) => s.finishRun(id, status, error));
  getRun: Store["getRun"] = (id) => this.#use((s) => s.getRun(id));
  listRuns: Store["listRuns"] = (query) => this.#use((s) => s.listRuns(query));
  deleteRuns: Store["deleteRuns"] = (ids) => this.#use((s) => s.deleteRuns(ids));
  createJob: Store["createJob"] = (job) => this.#use((s) => s.createJob(job));
  updateJob: Store["updateJob"] = (id, patch) => this.#use((s) => s.updateJob(id, patch));
  listJobs: Store["listJobs"] = (runId) => this.#use((s) => s.listJobs(runId));
  appendLogs: Store["appendLogs"] = (entries) => this.#use((s) => s.appendLogs(entries));
  readLogs: Store["readLogs"] = (query) => this.#use((s) => s.readLogs(query));
  queueDepth: Store["queueDepth"] = () => this.#use((s) => s.queueDepth());
  ping: Store["ping"] = () => this.#use((s) => s.ping());

  onEventsAccepted(listener: (projects: readonly string[]) => void): () => void {
    return this.#subscribe((store) => store.onEventsAccepted(listener));
  }

  onRunCancelRequested(listener: (runId: string) => void): () => void {
    return this.#subscribe((store) => store.onRunCancelRequested(listener));
  }

  #subscribe(subscribe: Subscribe): () => void {
    if (this.#store) return subscribe(this.#store);
    const entry: Subscribe = (store) => subscribe(store);
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

  async #use<T>(call: (store: StoreWithCredentials) => Promise<T>): Promise<T> {
    return call(this.#store ?? (await this.#connect()));
  }

  /** One attempt at a time, none before the back-off has passed: until then, the last failure. */
  #connect(): Promise<StoreWithCredentials> {
    if (this.#closed) return Promise.reject(this.#closedError("opening the database"));
    const failed = this.#failed;
    if (!this.#opening && performance.now() - failed.at < failed.waitMs) return Promise.reject(failed.err);
    this.#opening ??= this.#open().then(
      (store) => {
        this.#store = store;
        for (const entry of this.#listeners.keys()) this.#listeners.set(entry, entry(store));
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
