import type { ProjectWrite, StoredProject } from "../types.js";
import { toStoredProject } from "../records.js";
import { now } from "../rows.js";
import type { Queryable } from "./rows.js";

export async function createProject(db: Queryable, p: ProjectWrite): Promise<StoredProject | undefined> {
  const at = now();
  const { rows } = await db.query(
    `INSERT INTO projects (name, spec, sealed, revision, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    [p.name, p.spec, p.sealed, at],
  );
  return rows[0] && toStoredProject(rows[0]);
}

export async function updateProject(db: Queryable, p: ProjectWrite): Promise<StoredProject | undefined> {
  const { rows } = await db.query(
    `UPDATE projects SET spec = $1, sealed = $2, revision = revision + 1, updated_at = $3 WHERE name = $4
     RETURNING *`,
    [p.spec, p.sealed, now(), p.name],
  );
  return rows[0] && toStoredProject(rows[0]);
}

export async function removeProject(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM projects WHERE name = $1", [name]);
  return (rowCount ?? 0) > 0;
}

export async function listProjects(db: Queryable): Promise<StoredProject[]> {
  const { rows } = await db.query("SELECT * FROM projects ORDER BY name");
  return rows.map(toStoredProject);
}
