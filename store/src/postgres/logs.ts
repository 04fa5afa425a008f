import type { LogEntry, NewLogEntry } from "@bosun/core";
import type { LogQuery } from "../types.js";
import { limitOf, now } from "../rows.js";
import type { Queryable } from "./rows.js";
import { toLogEntry } from "../records.js";

/** One statement for all entries, so a batch of log lines is one round trip. */
export async function appendLogs(db: Queryable, entries: readonly NewLogEntry[]): Promise<void> {
  const at = now();
  await db.query(
    `INSERT INTO logs (run_id, job_id, stream, text, at)
     SELECT run_id, job_id, stream, text, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       AS e(run_id, job_id, stream, text)`,
    [
      entries.map((e) => e.runId),
      entries.map((e) => e.jobId ?? null),
      entries.map((e) => e.stream),
      entries.map((e) => e.text),
      at,
    ],
  );
}

/** Without a limit, everything after `afterSeq` (LIMIT NULL is no limit). */
export async function readLogs(db: Queryable, query: LogQuery): Promise<LogEntry[]> {
  const after = query.afterSeq ?? 0;
  const limit = limitOf(query.limit, -1);
  const params: unknown[] = [query.runId, after, limit < 0 ? null : limit];
  const byJob = query.jobId === undefined ? "" : "AND job_id = $4";
  if (query.jobId !== undefined) params.push(query.jobId);
  const { rows } = await db.query(
    `SELECT * FROM logs WHERE run_id = $1 AND seq > $2 ${byJob} ORDER BY seq LIMIT $3`,
    params,
  );
  return rows.map(toLogEntry);
}
