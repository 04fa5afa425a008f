import type { WatchedRepository, WatchStore, WatchSummary } from "../watches.js";
import { now, num, optStr, str } from "../rows.js";
import type { Queryable } from "./rows.js";

type Runner = <T>(doing: string, work: (db: Queryable) => Promise<T>) => Promise<T>;

/**
 * The watched repositories' tags and leases. Leases are compared with the database's clock, so
 * processes on several machines agree on when one ran out.
 */
export class PgWatchStore implements WatchStore {
  readonly #run: Runner;
  readonly #transaction: Runner;

  /** `run`: one statement on the pool; `transaction`: several on one connection, committed together. */
  constructor(run: Runner, transaction: Runner) {
    this.#run = run;
    this.#transaction = transaction;
  }

  async known(account: string, repository: string): Promise<WatchedRepository | undefined> {
    return this.#run(`reading the watched tags of ${account}/${repository}`, async (db) => {
      const { rows } = await db.query(
        "SELECT changes, recorded_at FROM watched_repositories WHERE account = $1 AND repository = $2",
        [account, repository],
      );
      const row = rows[0];
      if (!row || row["recorded_at"] === null) return undefined;
      const tags = await db.query(
        "SELECT tag, digest FROM watched_tags WHERE account = $1 AND repository = $2",
        [account, repository],
      );
      return {
        tags: new Map(tags.rows.map((t) => [str(t, "tag"), str(t, "digest")])),
        changes: num(row, "changes"),
        recordedAt: str(row, "recorded_at"),
      };
    });
  }

  async record(account: string, repository: string, tags: ReadonlyMap<string, string>): Promise<void> {
    await this.#transaction(`recording the watched tags of ${account}/${repository}`, async (db) => {
      await db.query("DELETE FROM watched_tags WHERE account = $1 AND repository = $2", [
        account,
        repository,
      ]);
      if (tags.size > 0)
        await db.query(
          `INSERT INTO watched_tags (account, repository, tag, digest)
           SELECT $1, $2, tag, digest FROM unnest($3::text[], $4::text[]) AS t(tag, digest)`,
          [account, repository, [...tags.keys()], [...tags.values()]],
        );
      await db.query(
        `INSERT INTO watched_repositories (account, repository, changes, recorded_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (account, repository) DO UPDATE SET
           changes = watched_repositories.changes + 1, recorded_at = excluded.recorded_at`,
        [account, repository, now()],
      );
    });
  }

  async lease(account: string, repository: string, owner: string, ms: number): Promise<boolean> {
    const { rowCount } = await this.#run(`leasing ${account}/${repository}`, (db) =>
      db.query(
        `INSERT INTO watched_repositories (account, repository, changes, lease_owner, lease_expires_at)
         VALUES ($1, $2, 0, $3, now() + make_interval(secs => $4::double precision / 1000))
         ON CONFLICT (account, repository) DO UPDATE SET
           lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
         WHERE watched_repositories.lease_owner IS NULL
            OR watched_repositories.lease_owner = excluded.lease_owner
            OR watched_repositories.lease_expires_at <= now()`,
        [account, repository, owner, ms],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async release(account: string, repository: string, owner: string): Promise<void> {
    await this.#run(`releasing ${account}/${repository}`, (db) =>
      db.query(
        `UPDATE watched_repositories SET lease_owner = NULL, lease_expires_at = NULL
         WHERE account = $1 AND repository = $2 AND lease_owner = $3`,
        [account, repository, owner],
      ),
    );
  }

  async list(account?: string): Promise<WatchSummary[]> {
    const { rows } = await this.#run("listing watched repositories", (db) =>
      db.query(
        `SELECT r.account, r.repository, r.recorded_at,
                CASE WHEN r.lease_expires_at > now() THEN r.lease_owner END AS lease_owner,
                (SELECT count(*) FROM watched_tags t WHERE t.account = r.account AND t.repository = r.repository) AS tags
         FROM watched_repositories r WHERE $1::text IS NULL OR r.account = $1 ORDER BY r.account, r.repository`,
        [account ?? null],
      ),
    );
    return rows.map((row) => {
      const recordedAt = optStr(row, "recorded_at");
      const leaseOwner = optStr(row, "lease_owner");
      return {
        account: str(row, "account"),
        repository: str(row, "repository"),
        tags: num(row, "tags"),
        ...(recordedAt ? { recordedAt } : {}),
        ...(leaseOwner ? { leaseOwner } : {}),
      };
    });
  }
}
