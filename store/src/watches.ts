/** What the poller of watched registries remembers: each repository's tags and who scans it. */

export interface WatchedRepository {
  /** Tag → the digest that counts, as last recorded. */
  tags: Map<string, string>;
  /** How many times the repository's tags were recorded: part of the delivery ids of its changes. */
  changes: number;
  /** RFC 3339: when it was last recorded. */
  recordedAt: string;
}

export interface WatchSummary {
  account: string;
  repository: string;
  tags: number;
  recordedAt?: string;
  /** The process scanning it now, while its lease lasts. */
  leaseOwner?: string;
}

export interface WatchStore {
  /** The repository as last recorded; undefined before its first scan was recorded. */
  known(account: string, repository: string): Promise<WatchedRepository | undefined>;
  /** Replaces its tags with `tags` and counts one more change; durable when it resolves. */
  record(account: string, repository: string, tags: ReadonlyMap<string, string>): Promise<void>;
  /**
   * Takes (or renews) the lease to scan the repository for `owner`, for `ms`; false while another
   * owner's lease on it lasts. One process scans a repository at a time, whatever shares the store.
   */
  lease(account: string, repository: string, owner: string, ms: number): Promise<boolean>;
  /** Gives up `owner`'s lease, if it still holds it. */
  release(account: string, repository: string, owner: string): Promise<void>;
  /** Every repository recorded or leased, by account and repository; one account's with `account`. */
  list(account?: string): Promise<WatchSummary[]>;
}
