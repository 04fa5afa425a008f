import type { DatabaseSync, StatementSync } from "node:sqlite";

/** The reads and writes of the accept-time rules (../admission.ts), on one SQLite connection. */
export class AdmissionTables {
  readonly #earlier: StatementSync;
  readonly #dropHeld: StatementSync;
  readonly #gathering: StatementSync;
  readonly #setImage: StatementSync;
  readonly #best: StatementSync;
  readonly #setBest: StatementSync;
  readonly #latestOfTag: StatementSync;

  constructor(db: DatabaseSync) {
    this.#latestOfTag = db.prepare(
      `SELECT id, source, digest_key FROM events WHERE tag_key = ? ORDER BY id DESC LIMIT 1`,
    );
    this.#earlier = db.prepare(
      `SELECT image FROM events WHERE digest_key = ? ORDER BY (hold_kind = 'digest-only'), id LIMIT 1`,
    );
    this.#dropHeld = db.prepare(
      `DELETE FROM events WHERE digest_key = ? AND hold_kind = 'digest-only' AND state = 'queued'`,
    );
    this.#gathering = db.prepare(
      `SELECT id, image FROM events
        WHERE digest_key = ? AND hold_kind = 'gather' AND state = 'queued' AND hold_until > ?
        ORDER BY id LIMIT 1`,
    );
    this.#setImage = db.prepare(`UPDATE events SET image = ? WHERE id = ?`);
    this.#best = db.prepare(
      `SELECT tag FROM best_tags WHERE project = ? AND policy_key = ? AND repository = ?`,
    );
    this.#setBest = db.prepare(
      `INSERT INTO best_tags (project, policy_key, repository, tag, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (project, policy_key, repository) DO UPDATE SET tag = excluded.tag, updated_at = excluded.updated_at`,
    );
  }

  /** The newest event of the tag (../admission.ts, tagKeyOf), among those that keep their tag. */
  latestOfTag(tagKey: string): { id: string; source: string; digestKey: string | null } | undefined {
    const row = this.#latestOfTag.get(tagKey);
    if (!row) return undefined;
    const digestKey = row["digest_key"];
    return {
      id: String(row["id"]),
      source: String(row["source"]),
      digestKey: digestKey ? String(digestKey) : null,
    };
  }

  /** The first event of the digest, a tagged one if there is one: its image JSON. */
  earlierOfDigest(key: string): string | undefined {
    const row = this.#earlier.get(key);
    return row ? String(row["image"]) : undefined;
  }

  /** Drops the digest-only pushes of the digest that no worker took yet; how many. */
  dropHeldDigestOnly(key: string): number {
    return Number(this.#dropHeld.run(key).changes);
  }

  gathering(key: string, nowMs: number): { id: string; image: string } | undefined {
    const row = this.#gathering.get(key, nowMs);
    return row ? { id: String(row["id"]), image: String(row["image"]) } : undefined;
  }

  setImage(id: string, image: string): void {
    this.#setImage.run(image, id);
  }

  best(project: string, policyKey: string, repository: string): string | undefined {
    const row = this.#best.get(project, policyKey, repository);
    return row ? String(row["tag"]) : undefined;
  }

  setBest(project: string, policyKey: string, repository: string, tag: string, at: string): void {
    this.#setBest.run(project, policyKey, repository, tag, at);
  }
}
