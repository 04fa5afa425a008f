/**
 * What the webhook reconciler of projects made through the API keeps: each project's webhook state
 * (opaque JSON, the reconciler's), readable by every replica, and the lease of the one process that
 * applies it at a time, as `WatchStore` leases a watched repository to its scanner.
 */
import { optStr, str, type Row } from "./rows.js";

/** The columns both stores select for a listing, and a row of them as a record. */
export const WEBHOOK_COLUMNS = "project, state, updated_at";

export function webhookRecord(row: Row): WebhookRecord {
  const state = optStr(row, "state");
  const updatedAt = optStr(row, "updated_at");
  return {
    project: str(row, "project"),
    ...(state === undefined ? {} : { state }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
  };
}

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
