import { WEBHOOK_COLUMNS, webhookRecord, type WebhookRecord, type WebhookStore } from "../webhooks.js";
import type { Queryable } from "./rows.js";

type Runner = <T>(doing: string, work: (db: Queryable) => Promise<T>) => Promise<T>;

/** The projects' webhook states and leases; leases on the database's clock, as PgWatchStore's. */
export class PgWebhookStore implements WebhookStore {
  readonly #run: Runner;

  constructor(run: Runner) {
    this.#run = run;
  }

  async lease(project: string, owner: string, ms: number): Promise<boolean> {
    const { rowCount } = await this.#run(`leasing the webhook of project ${project}`, (db) =>
      db.query(
        `INSERT INTO project_webhooks (project, lease_owner, lease_expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
         ON CONFLICT (project) DO UPDATE SET
           lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
         WHERE project_webhooks.lease_owner IS NULL
            OR project_webhooks.lease_owner = excluded.lease_owner
            OR project_webhooks.lease_expires_at <= now()`,
        [project, owner, ms],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async release(project: string, owner: string): Promise<void> {
    await this.#run(`releasing the webhook of project ${project}`, (db) =>
      db.query(
        `UPDATE project_webhooks SET lease_owner = NULL, lease_expires_at = NULL
         WHERE project = $1 AND lease_owner = $2`,
        [project, owner],
      ),
    );
  }

  async record(project: string, owner: string, state: string): Promise<boolean> {
    const { rowCount } = await this.#run(`recording the webhook of project ${project}`, (db) =>
      db.query(
        `UPDATE project_webhooks SET state = $3, updated_at = $4
         WHERE project = $1 AND lease_owner = $2 AND lease_expires_at > now()`,
        [project, owner, state, new Date().toISOString()],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async forget(project: string, owner: string): Promise<boolean> {
    const { rowCount } = await this.#run(`forgetting the webhook of project ${project}`, (db) =>
      db.query(
        "DELETE FROM project_webhooks WHERE project = $1 AND lease_owner = $2 AND lease_expires_at > now()",
        [project, owner],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  async list(): Promise<WebhookRecord[]> {
    const { rows } = await this.#run("listing the projects' webhooks", (db) =>
      db.query(`SELECT ${WEBHOOK_COLUMNS} FROM project_webhooks ORDER BY project`),
    );
    return rows.map(webhookRecord);
  }
}
