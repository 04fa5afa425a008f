import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ProjectWrite, StoredProject } from "../types.js";
import { toStoredProject } from "../records.js";
import { now } from "../rows.js";

/** The projects table (projects made through the API). Synchronous; writes run inside a batch. */
export class ProjectTable {
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #remove: StatementSync;
  readonly #all: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(
      `INSERT INTO projects (name, spec, sealed, revision, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
    );
    this.#update = db.prepare(
      `UPDATE projects SET spec = ?, sealed = ?, revision = revision + 1, updated_at = ? WHERE name = ?
       RETURNING *`,
    );
    this.#remove = db.prepare("DELETE FROM projects WHERE name = ?");
    this.#all = db.prepare("SELECT * FROM projects ORDER BY name");
  }

  create(p: ProjectWrite): StoredProject | undefined {
    const at = now();
    const row = this.#insert.get(p.name, p.spec, p.sealed, at, at);
    return row && toStoredProject(row);
  }

  update(p: ProjectWrite): StoredProject | undefined {
    const row = this.#update.get(p.spec, p.sealed, now(), p.name);
    return row && toStoredProject(row);
  }

  remove(name: string): boolean {
    return Number(this.#remove.run(name).changes) > 0;
  }

  list(): StoredProject[] {
    return this.#all.all().map(toStoredProject);
  }
}
