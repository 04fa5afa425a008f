import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LogEntry, LogStream, NewLogEntry } from "@bosun/core";
import type { LogQuery } from "../types.js";
import type { Row } from "./rows.js";
import { defined, limitOf, now, num, optStr, str } from "./rows.js";

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
    return rows.map(toEntry);
  }
}

function toEntry(row: Row): LogEntry {
  return defined({
    seq: num(row, "seq"),
    runId: str(row, "run_id"),
    jobId: optStr(row, "job_id"),
    stream: str(row, "stream") as LogStream,
    text: str(row, "text"),
    at: str(row, "at"),
  });
}
