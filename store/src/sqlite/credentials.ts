import type { DatabaseSync, StatementSync } from "node:sqlite";
import { SqliteWrites } from "./writes.js";
import type { CredentialStore, SealedCredential } from "../credentials/store.js";
import {
  describeOwner,
  ownerKey,
  ownerOfKey,
  type CredentialKind,
  type CredentialSummary,
  type ServiceAccount,
} from "@bosun/core";
import { now, str } from "./rows.js";
import { attempt } from "./unavailable.js";
import { toCredentialSummary } from "../records.js";

/**
 * Logins in the `credentials` table, on the store's own connection. Writes are rare (an operator
 * logging in), so each is a plain statement rather than a group commit; it runs between batches
 * (a batch never yields mid-transaction) and is synced like them before the caller is answered.
 */
export class SqliteCredentialStore implements CredentialStore {
  readonly #db: DatabaseSync;
  readonly #writes: SqliteWrites;
  #statements:
    | Record<
        | "put"
        | "remove"
        | "all"
        | "byProject"
        | "sealed"
        | "addAccount"
        | "accounts"
        | "dropAccount"
        | "dropLogins",
        StatementSync
      >
    | undefined;

  /** `busyBudgetMs`: how long a write retries, from timers, while another process holds the lock. */
  constructor(db: DatabaseSync, sync?: () => Promise<void>, busyBudgetMs = 250) {
    this.#db = db;
    this.#writes = new SqliteWrites(sync, busyBudgetMs);
  }

  async put(c: Omit<SealedCredential, "updatedAt">): Promise<CredentialSummary> {
    const updatedAt = now();
    const doing = `storing the ${c.kind} login for ${c.target} of ${describeOwner(ownerOfKey(c.project))}`;
    const put = () => this.#sql().put.run(c.project, c.kind, c.target, c.username, c.sealed, updatedAt);
    await this.#writes.run(doing, put);
    await this.#writes.durable(doing);
    return { project: c.project, kind: c.kind, target: c.target, username: c.username, updatedAt };
  }

  async remove(project: string, kind: CredentialKind, target: string): Promise<boolean> {
    const doing = `removing the ${kind} login for ${target} of ${describeOwner(ownerOfKey(project))}`;
    const { changes } = await this.#writes.run(doing, () => this.#sql().remove.run(project, kind, target));
    await this.#writes.durable(doing);
    return Number(changes) > 0;
  }

  async list(project?: string): Promise<CredentialSummary[]> {
    return attempt("listing logins", () =>
      (project === undefined ? this.#sql().all.all() : this.#sql().byProject.all(project)).map(
        toCredentialSummary,
      ),
    );
  }

  async sealedFor(project: string): Promise<SealedCredential[]> {
    return attempt(`reading the logins of ${describeOwner(ownerOfKey(project))}`, () =>
      this.#sql()
        .sealed.all(project)
        .map((row) => ({ ...toCredentialSummary(row), sealed: str(row, "sealed") })),
    );
  }

  async createServiceAccount(name: string): Promise<ServiceAccount | undefined> {
    const doing = `creating service account ${name}`;
    const createdAt = now();
    const { changes } = await this.#writes.run(doing, () => this.#sql().addAccount.run(name, createdAt));
    await this.#writes.durable(doing);
    return Number(changes) > 0 ? { name, createdAt } : undefined;
  }

  async listServiceAccounts(): Promise<ServiceAccount[]> {
    return attempt("listing service accounts", () =>
      this.#sql()
        .accounts.all()
        .map((row) => ({ name: str(row, "name"), createdAt: str(row, "created_at") })),
    );
  }

  async removeServiceAccount(name: string): Promise<boolean> {
    const doing = `removing service account ${name}`;
    // One synchronous transaction: nothing else runs on this connection until it has committed.
    const removed = await this.#writes.run(doing, () => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const { changes } = this.#sql().dropAccount.run(name);
        this.#sql().dropLogins.run(ownerKey({ serviceAccount: name }));
        this.#db.exec("COMMIT");
        return Number(changes) > 0;
      } catch (err) {
        this.#db.exec("ROLLBACK");
        throw err;
      }
    });
    await this.#writes.durable(doing);
    return removed;
  }

  /** Prepared on first use, so a store that never touches logins costs nothing. */
  #sql() {
    const columns = "project, kind, target, username, updated_at";
    return (this.#statements ??= {
      put: this.#db.prepare(
        `INSERT INTO credentials (project, kind, target, username, sealed, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (project, kind, target) DO UPDATE SET
           username = excluded.username, sealed = excluded.sealed, updated_at = excluded.updated_at`,
      ),
      remove: this.#db.prepare("DELETE FROM credentials WHERE project = ? AND kind = ? AND target = ?"),
      all: this.#db.prepare(`SELECT ${columns} FROM credentials ORDER BY project, kind, target`),
      byProject: this.#db.prepare(
        `SELECT ${columns} FROM credentials WHERE project = ? ORDER BY kind, target`,
      ),
      sealed: this.#db.prepare(
        `SELECT ${columns}, sealed FROM credentials WHERE project = ? ORDER BY kind, target`,
      ),
      addAccount: this.#db.prepare(
        "INSERT INTO service_accounts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
      ),
      accounts: this.#db.prepare("SELECT name, created_at FROM service_accounts ORDER BY name"),
      dropAccount: this.#db.prepare("DELETE FROM service_accounts WHERE name = ?"),
      dropLogins: this.#db.prepare("DELETE FROM credentials WHERE project = ?"),
    });
  }
}
