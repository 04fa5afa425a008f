import type { DatabaseSync } from "node:sqlite";
import { SqliteWrites } from "./writes.js";
import { WEBHOOK_COLUMNS, webhookRecord, type WebhookRecord, type WebhookStore } from "../webhooks.js";
import { now } from "./rows.js";
import { attempt } from "./unavailable.js";

/** The projects' webhook states and leases, on the store's own connection (as SqliteWatchStore). */
export class SqliteWebhookStore implements WebhookStore {
  readonly #db: DatabaseSync;
  readonly #writes: SqliteWrites;

  constructor(db: DatabaseSync, sync?: () => Promise<void>, busyBudgetMs = 250) {
    this.#db = db;
    this.#writes = new SqliteWrites(sync, busyBudgetMs);
  }

  async lease(project: string, owner: string, ms: number): Promise<boolean> {
    const at = Date.now();
    const { changes } = await this.#writes.run(`leasing the webhook of project ${project}`, () =>
      this.#db
        .prepare(
          `INSERT INTO project_webhooks (project, lease_owner, lease_expires_at) VALUES (?, ?, ?)
           ON CONFLICT (project) DO UPDATE SET
             lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
           WHERE project_webhooks.lease_owner IS NULL
              OR project_webhooks.lease_owner = excluded.lease_owner
              OR project_webhooks.lease_expires_at <= ?`,
        )
        .run(project, owner, at + ms, at),
    );
    return Number(changes) > 0;
  }

  async release(project: string, owner: string): Promise<void> {
    await this.#writes.run(`releasing the webhook of project ${project}`, () =>
      this.#db
        .prepare(
          `UPDATE project_webhooks SET lease_owner = NULL, lease_expires_at = NULL
           WHERE project = ? AND lease_owner = ?`,
        )
        .run(project, owner),
    );
  }

  async record(project: string, owner: string, state: string): Promise<boolean> {
    const doing = `recording the webhook of project ${project}`;
    const { changes } = await this.#writes.run(doing, () =>
      this.#db
        .prepare(
          `UPDATE project_webhooks SET state = ?, updated_at = ?
           WHERE project = ? AND lease_owner = ? AND lease_expires_at > ?`,
        )
        .run(state, now(), project, owner, Date.now()),
    );
    await this.#writes.durable(doing);
    return Number(changes) > 0;
  }

  async forget(project: string, owner: string): Promise<boolean> {
    const doing = `forgetting the webhook of project ${project}`;
    const { changes } = await this.#writes.run(doing, () =>
      this.#db
        .prepare(
          "DELETE FROM project_webhooks WHERE project = ? AND lease_owner = ? AND lease_expires_at > ?",
        )
        .run(project, owner, Date.now()),
    );
    await this.#writes.durable(doing);
    return Number(changes) > 0;
  }

  async list(): Promise<WebhookRecord[]> {
    return attempt("listing the projects' webhooks", () =>
      this.#db
        .prepare(`SELECT ${WEBHOOK_COLUMNS} FROM project_webhooks ORDER BY project`)
        .all()
        .map(webhookRecord),
    );
  }
}
