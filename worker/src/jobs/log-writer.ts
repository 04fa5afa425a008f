/**
 * Buffers a run's log output and writes it to the store in batches: one store write per burst rather
 * than per chunk, so a chatty job does not cost a commit per line. Every entry is redacted, and the run's
 * caps (entries, bytes per run and per job) bound what is stored; a cap that cuts output is noted once.
 */
import type { NewLogEntry, Redactor } from "@bosun/core";
import type { Store } from "@bosun/store";
import { byteLength, cutToBytes, DEFAULT_RECORD_LIMITS, type RecordLimits } from "./record-limits.js";

const FLUSH_MS = 50;
const MAX_BUFFERED = 500;

type LogLimits = Pick<
  RecordLimits,
  "logEntriesPerRun" | "logBytesPerRun" | "logBytesPerJob" | "scriptLineBytes"
>;

export class LogWriter {
  private buffer: NewLogEntry[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private readonly limits: LogLimits;
  private entries = 0;
  private bytes = 0;
  private runCapped = false;
  private readonly jobBytes = new Map<string, number>();
  private readonly cappedJobs = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly redact: Redactor,
    private readonly onError: (error: unknown) => void = () => {},
    limits: Partial<LogLimits> = {},
  ) {
    this.limits = { ...DEFAULT_RECORD_LIMITS, ...limits };
  }

  write(entry: NewLogEntry): void {
    if (entry.text.length === 0 || this.runCapped) return;
    const { jobId } = entry;
    if (jobId !== undefined && this.cappedJobs.has(jobId)) return;
    // Redacted before it is cut, so a cut can never leave part of a secret behind.
    const text = this.clipScriptLine(entry.stream, this.redact(entry.text));
    const size = byteLength(text);
    const runRoom = this.limits.logBytesPerRun - this.bytes;
    const jobRoom =
      jobId === undefined ? Infinity : this.limits.logBytesPerJob - (this.jobBytes.get(jobId) ?? 0);
    const full = this.entries >= this.limits.logEntriesPerRun;
    if (full || size > runRoom) {
      const stored = full
        ? ""
        : this.store1({ ...entry, text: cutToBytes(text, Math.min(runRoom, jobRoom)) });
      this.runCapped = true;
      const { logEntriesPerRun, logBytesPerRun } = this.limits;
      this.notice(
        entry.runId,
        undefined,
        `${lineBreakAfter(stored)}[bosun] output cap reached (${logEntriesPerRun} entries / ${logBytesPerRun} bytes); further output not stored\n`,
      );
      return;
    }
    if (jobId !== undefined && size > jobRoom) {
      const stored = this.store1({ ...entry, text: cutToBytes(text, jobRoom) });
      this.cappedJobs.add(jobId);
      this.notice(
        entry.runId,
        jobId,
        `${lineBreakAfter(stored)}[bosun] job output cap reached (${this.limits.logBytesPerJob} bytes); further output of this job not stored\n`,
      );
      return;
    }
    this.store1({ ...entry, text });
  }

  /** Writes what is buffered; resolves when everything written so far is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(() => this.store.appendLogs(batch)).catch(this.onError);
    }
    return this.writing;
  }

  /** A script's console line over the per-line cap keeps its start and says how much was cut. */
  private clipScriptLine(stream: NewLogEntry["stream"], text: string): string {
    const max = this.limits.scriptLineBytes;
    if (stream !== "script" || text.length <= max / 3 || byteLength(text) <= max) return text;
    const kept = cutToBytes(text, max);
    const rest = byteLength(text) - byteLength(kept);
    return `${kept}… [${rest} more bytes]${text.endsWith("\n") ? "\n" : ""}`;
  }

  /** Buffers an entry that is within the caps, and counts it against them; returns its text. */
  private store1(entry: NewLogEntry): string {
    if (entry.text.length === 0) return "";
    const size = byteLength(entry.text);
    this.entries++;
    this.bytes += size;
    if (entry.jobId !== undefined)
      this.jobBytes.set(entry.jobId, (this.jobBytes.get(entry.jobId) ?? 0) + size);
    this.enqueue(entry);
    return entry.text;
  }

  /** Bosun's own line about a cap: outside the caps, so that it is always there. */
  private notice(runId: string, jobId: string | undefined, text: string): void {
    this.enqueue(
      jobId === undefined ? { runId, stream: "script", text } : { runId, jobId, stream: "stderr", text },
    );
  }

  private enqueue(entry: NewLogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= MAX_BUFFERED) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }
}

/** A notice after output cut mid-line starts on a line of its own. */
function lineBreakAfter(stored: string): string {
  return stored === "" || stored.endsWith("\n") ? "" : "\n";
}
