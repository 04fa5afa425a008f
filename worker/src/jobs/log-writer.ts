/**
 * Buffers log output and writes it to the store in batches: one store write per burst rather than per
 * chunk, so a chatty job does not cost a commit per line.
 */
import type { NewLogEntry, Redactor, Store } from "@bosun/core";

const FLUSH_MS = 50;
const MAX_BUFFERED = 500;

export class LogWriter {
  private buffer: NewLogEntry[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly redact: Redactor,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  write(entry: NewLogEntry): void {
    if (entry.text.length === 0) return;
    this.buffer.push({ ...entry, text: this.redact(entry.text) });
    if (this.buffer.length >= MAX_BUFFERED) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
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
}
