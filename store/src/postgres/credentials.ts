import type { CredentialKind, CredentialSummary } from "@bosun/core";
import type { CredentialStore, SealedCredential } from "../credentials/store.js";
import { now, str } from "../rows.js";
import type { Queryable } from "./rows.js";
import { toCredentialSummary } from "../records.js";

const COLUMNS = "project, kind, target, username, updated_at";

/** Logins in the `credentials` table. Each write is one autocommitted statement, durable when it returns. */
export class PgCredentialStore implements CredentialStore {
  readonly #run: <T>(doing: string, work: (db: Queryable) => Promise<T>) => Promise<T>;

  /** `run` runs a query with the store's pool, translating failures. */
  constructor(run: <T>(doing: string, work: (db: Queryable) => Promise<T>) => Promise<T>) {
    this.#run = run;
  }

  async put(c: Omit<SealedCredential, "updatedAt">): Promise<CredentialSummary> {
    const updatedAt = now();
    await this.#run(`storing the ${c.kind} login for ${c.target} of project ${c.project}`, (db) =>
      db.query(
        `INSERT INTO credentials (project, kind, target, username, sealed, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (project, kind, target) DO UPDATE SET
           username = excluded.username, sealed = excluded.sealed, updated_at = excluded.updated_at`,
        [c.project, c.kind, c.target, c.username, c.sealed, updatedAt],
      ),
    );
    return { project: c.project, kind: c.kind, target: c.target, username: c.username, updatedAt };
  }

  async remove(project: string, kind: CredentialKind, target: string): Promise<boolean> {
    const { rowCount } = await this.#run(
      `removing the ${kind} login for ${target} of project ${project}`,
      (db) =>
        db.query("DELETE FROM credentials WHERE project = $1 AND kind = $2 AND target = $3", [
          project,
          kind,
          target,
        ]),
    );
    return (rowCount ?? 0) > 0;
  }

  async list(project?: string): Promise<CredentialSummary[]> {
    const { rows } = await this.#run("listing logins", (db) =>
      project === undefined
        ? db.query(`SELECT ${COLUMNS} FROM credentials ORDER BY project, kind, target`)
        : db.query(`SELECT ${COLUMNS} FROM credentials WHERE project = $1 ORDER BY kind, target`, [project]),
    );
    return rows.map(toCredentialSummary);
  }

  async sealedFor(project: string): Promise<SealedCredential[]> {
    const { rows } = await this.#run(`reading the logins of project ${project}`, (db) =>
      db.query(`SELECT ${COLUMNS}, sealed FROM credentials WHERE project = $1 ORDER BY kind, target`, [
        project,
      ]),
    );
    return rows.map((row) => ({ ...toCredentialSummary(row), sealed: str(row, "sealed") }));
  }
}
