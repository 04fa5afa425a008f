import {
  describeOwner,
  ownerKey,
  ownerOfKey,
  type CredentialKind,
  type CredentialSummary,
  type ServiceAccount,
} from "@bosun/core";
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
    await this.#run(
      `storing the ${c.kind} login for ${c.target} of ${describeOwner(ownerOfKey(c.project))}`,
      (db) =>
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
      `removing the ${kind} login for ${target} of ${describeOwner(ownerOfKey(project))}`,
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
    const { rows } = await this.#run(`reading the logins of ${describeOwner(ownerOfKey(project))}`, (db) =>
      db.query(`SELECT ${COLUMNS}, sealed FROM credentials WHERE project = $1 ORDER BY kind, target`, [
        project,
      ]),
    );
    return rows.map((row) => ({ ...toCredentialSummary(row), sealed: str(row, "sealed") }));
  }

  async createServiceAccount(name: string): Promise<ServiceAccount | undefined> {
    const createdAt = now();
    const { rowCount } = await this.#run(`creating service account ${name}`, (db) =>
      db.query(
        "INSERT INTO service_accounts (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        [name, createdAt],
      ),
    );
    return (rowCount ?? 0) > 0 ? { name, createdAt } : undefined;
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    const { rows } = await this.#run("listing service accounts", (db) =>
      db.query("SELECT name, created_at FROM service_accounts ORDER BY name"),
    );
    return rows.map((row) => ({ name: str(row, "name"), createdAt: str(row, "created_at") }));
  }

  async removeServiceAccount(name: string): Promise<boolean> {
    // One statement, so the account and its logins go together.
    const { rowCount } = await this.#run(`removing service account ${name}`, (db) =>
      db.query(
        `WITH logins AS (DELETE FROM credentials WHERE project = $2)
         DELETE FROM service_accounts WHERE name = $1`,
        [name, ownerKey({ serviceAccount: name })],
      ),
    );
    return (rowCount ?? 0) > 0;
  }
}
