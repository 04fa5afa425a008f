import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LogEntry, NewLogEntry } from "@bosun/core";
import type { LogQuery } from "../types.js";
import { limitOf, now } from "./rows.js";
import { toLogEntry } from "../records.js";

/** The logs table. Synchronous; appends are meant to run inside a group-commit batch. */
export class LogTable {
  readonly #insert: StatementSync;
  readonly #readRun: StatementSync;
  readonly #readJob: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare("INSERT INTO logs (run_id, job_id, stream, text, at) VALUES (?, ?, ?, ?, ?)");
    this.#readRun = db.prepare("SELECT * FROM logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    this.#readJob = db.prepare(
      "SELECT * FROM logs WHERE run_id = ? AND job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    );
  }

  append(entries: readonly NewLogEntry[]): void {
    const at = now();
    for (const e of entries) this.#insert.run(e.runId, e.jobId ?? null, e.stream, e.text, at);
  }

  /** Without a limit, everything after `afterSeq`. */
  read(query: LogQuery): LogEntry[] {
    const after = query.afterSeq ?? 0;
    const limit = limitOf(query.limit, -1);
    const rows =
      query.jobId === undefined
        ? this.#readRun.all(query.runId, after, limit)
        : this.#readJob.all(query.runId, query.jobId, after, limit);
    return rows.map(toLogEntry);
  }
}
