/**
 * What the webhook reconciler of projects made through the API keeps: each project's webhook state
 * (opaque JSON, the reconciler's), readable by every replica, and the lease of the one process that
 * applies it at a time, as `WatchStore` leases a watched repository to its scanner.
 */

export interface WebhookRecord {
  project: string;
  /** The reconciler's state as JSON; undefined while leased and never recorded. */
  state?: string;
  /** RFC 3339: when the state was last recorded. */
  updatedAt?: string;
}

export interface WebhookStore {
  /**
   * Takes (or renews) the lease to apply the project's webhook for `owner`, for `ms`; false while
   * another owner's lease on it lasts.
   */
  lease(project: string, owner: string, ms: number): Promise<boolean>;
  /** Gives up `owner`'s lease, if it still holds it. */
  release(project: string, owner: string): Promise<void>;
  /** Records the state while `owner` holds the lease; false (nothing written) when it does not. */
  record(project: string, owner: string, state: string): Promise<boolean>;
  /** Forgets the project's webhook (it was removed) while `owner` holds the lease; false otherwise. */
  forget(project: string, owner: string): Promise<boolean>;
  /** Every project's record, by project. */
  list(): Promise<WebhookRecord[]>;
}
