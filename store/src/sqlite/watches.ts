import type { DatabaseSync } from "node:sqlite";
import { SqliteWrites } from "./writes.js";
import type { WatchedRepository, WatchStore, WatchSummary } from "../watches.js";
import { now, num, optStr, str, type Row } from "./rows.js";
import { attempt } from "./unavailable.js";

/**
 * The watched repositories' tags and leases, on the store's own connection. Writes are one scan's
 * worth at a time (rare beside pushes), so each is a short transaction rather than a group commit,
 * synced like a batch before the caller is answered.
 */
export class SqliteWatchStore implements WatchStore {
  readonly #db: DatabaseSync;
  readonly #writes: SqliteWrites;

  constructor(db: DatabaseSync, sync?: () => Promise<void>, busyBudgetMs = 250) {
    this.#db = db;
    this.#writes = new SqliteWrites(sync, busyBudgetMs);
  }

  async known(account: string, repository: string): Promise<WatchedRepository | undefined> {
    return attempt(`reading the watched tags of ${account}/${repository}`, () => {
      const row = this.#db
        .prepare("SELECT changes, recorded_at FROM watched_repositories WHERE account = ? AND repository = ?")
        .get(account, repository);
      if (!row || row["recorded_at"] === null) return undefined;
      const tags = this.#db
        .prepare("SELECT tag, digest FROM watched_tags WHERE account = ? AND repository = ?")
        .all(account, repository);
      return {
        tags: new Map(tags.map((t) => [str(t, "tag"), str(t, "digest")])),
        changes: num(row, "changes"),
        recordedAt: str(row, "recorded_at"),
      };
    });
  }

  async record(account: string, repository: string, tags: ReadonlyMap<string, string>): Promise<void> {
    const doing = `recording the watched tags of ${account}/${repository}`;
    await this.#writes.run(doing, () => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        this.#db
          .prepare("DELETE FROM watched_tags WHERE account = ? AND repository = ?")
          .run(account, repository);
        const insert = this.#db.prepare(
          "INSERT INTO watched_tags (account, repository, tag, digest) VALUES (?, ?, ?, ?)",
        );
        for (const [tag, digest] of tags) insert.run(account, repository, tag, digest);
        this.#db
          .prepare(
            `INSERT INTO watched_repositories (account, repository, changes, recorded_at) VALUES (?, ?, 1, ?)
             ON CONFLICT (account, repository) DO UPDATE SET
               changes = watched_repositories.changes + 1, recorded_at = excluded.recorded_at`,
          )
          .run(account, repository, now());
        this.#db.exec("COMMIT");
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw err;
      }
    });
    await this.#writes.durable(doing);
  }

  async lease(account: string, repository: string, owner: string, ms: number): Promise<boolean> {
    const at = Date.now();
    const { changes } = await this.#writes.run(`leasing ${account}/${repository}`, () =>
      this.#db
        .prepare(
          `INSERT INTO watched_repositories (account, repository, changes, lease_owner, lease_expires_at)
           VALUES (?, ?, 0, ?, ?)
           ON CONFLICT (account, repository) DO UPDATE SET
             lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
           WHERE watched_repositories.lease_owner IS NULL
              OR watched_repositories.lease_owner = excluded.lease_owner
              OR watched_repositories.lease_expires_at <= ?`,
        )
        .run(account, repository, owner, at + ms, at),
    );
    return Number(changes) > 0;
  }

  async release(account: string, repository: string, owner: string): Promise<void> {
    await this.#writes.run(`releasing ${account}/${repository}`, () =>
      this.#db
        .prepare(
          `UPDATE watched_repositories SET lease_owner = NULL, lease_expires_at = NULL
           WHERE account = ? AND repository = ? AND lease_owner = ?`,
        )
        .run(account, repository, owner),
    );
  }

  async list(account?: string): Promise<WatchSummary[]> {
    return attempt("listing watched repositories", () => {
      const rows = this.#db
        .prepare(
          `SELECT r.account, r.repository, r.recorded_at, r.lease_owner, r.lease_expires_at,
                  (SELECT count(*) FROM watched_tags t WHERE t.account = r.account AND t.repository = r.repository) AS tags
           FROM watched_repositories r WHERE ? IS NULL OR r.account = ? ORDER BY r.account, r.repository`,
        )
        .all(account ?? null, account ?? null);
      return rows.map((row) => summary(row, Number(row["lease_expires_at"] ?? 0) > Date.now()));
    });
  }
}

export function summary(row: Row, leased: boolean): WatchSummary {
  const recordedAt = optStr(row, "recorded_at");
  const leaseOwner = leased ? optStr(row, "lease_owner") : undefined;
  return {
    account: str(row, "account"),
    repository: str(row, "repository"),
    tags: num(row, "tags"),
    ...(recordedAt ? { recordedAt } : {}),
    ...(leaseOwner ? { leaseOwner } : {}),
  };
}
