/**
 * How much of what a script or its jobs produce one run may make Bosun store. Past a cap the rest is
 * not stored, and the run's log says so once (docs/scripts.md, "What a run stores").
 */

export interface RecordLimits {
  /** Log entries (console calls, job output chunks) stored per run. */
  logEntriesPerRun: number;
  /** Bytes (UTF-8) of log text stored per run, script and jobs together. */
  logBytesPerRun: number;
  /** Bytes of log text stored per job. */
  logBytesPerJob: number;
  /** Bytes of one job record: its name, image, tasks and env names. */
  jobRecordBytes: number;
  /** Bytes of all job records of a run; past it, jobs are recorded with name and image only. */
  jobRecordBytesPerRun: number;
  /** Bytes of an error message, and of a stack, recorded on a run or job. */
  errorTextBytes: number;
  /** Bytes of one line of a script's console output; the rest of a longer line is cut and counted. */
  scriptLineBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  logEntriesPerRun: 100_000,
  logBytesPerRun: 16 * MiB,
  logBytesPerJob: 4 * MiB,
  jobRecordBytes: 64 * KiB,
  jobRecordBytesPerRun: 4 * MiB,
  errorTextBytes: 16 * KiB,
  scriptLineBytes: 16 * KiB,
};

const encoder = new TextEncoder();

export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The longest prefix of `text` within `bytes` bytes of UTF-8, never splitting a character. */
export function cutToBytes(text: string, bytes: number): string {
  if (bytes <= 0) return "";
  if (text.length * 3 <= bytes || byteLength(text) <= bytes) return text;
  const { read } = encoder.encodeInto(text, new Uint8Array(bytes));
  return text.slice(0, read);
}
