/**
 * A job's output on its way out: bytes per stream are decoded (a UTF-8 character may be split across
 * chunks), redacted, streamed to the caller as they arrive, and kept, up to a cap, for the JobResult.
 * Shared by every executor so redaction and capping behave the same everywhere.
 */
import { TextDecoder } from "node:util";
import { StreamRedactor } from "./redact.js";

export type OutputStream = "stdout" | "stderr";

export interface JobOutputOptions {
  secrets?: readonly string[];
  /** Characters kept for JobResult.output (the most recent ones). Everything is still streamed. */
  maxChars?: number;
  onOutput?: (text: string, stream: OutputStream) => void;
}

/** 1 MiB of text is plenty for a stored log; the full output has been streamed already. */
export const DEFAULT_MAX_OUTPUT_CHARS = 1024 * 1024;

interface StreamState {
  decoder: TextDecoder;
  redactor: StreamRedactor;
}

export class JobOutput {
  private readonly maxChars: number;
  private readonly onOutput: JobOutputOptions["onOutput"];
  private readonly streams: Record<OutputStream, StreamState>;
  private kept: string[] = [];
  private keptChars = 0;
  private droppedChars = 0;
  private ended = false;

  constructor(options: JobOutputOptions = {}) {
    this.maxChars = options.maxChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    this.onOutput = options.onOutput;
    const state = (): StreamState => ({
      decoder: new TextDecoder("utf-8", { fatal: false }),
      redactor: new StreamRedactor(options.secrets),
    });
    this.streams = { stdout: state(), stderr: state() };
  }

  write(stream: OutputStream, chunk: Uint8Array): void {
    if (this.ended) return;
    const s = this.streams[stream];
    this.emit(stream, s.redactor.push(s.decoder.decode(chunk, { stream: true })));
  }

  /** Releases what the decoders and redactors were holding back. Idempotent. */
  end(): void {
    if (this.ended) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const s = this.streams[stream];
      this.emit(stream, s.redactor.push(s.decoder.decode()) + s.redactor.flush());
    }
    this.ended = true;
  }

  /** The kept output; when some was dropped, a first line says how much. */
  text(): string {
    const body = this.kept.join("");
    this.kept = body ? [body] : [];
    if (this.droppedChars === 0) return body;
    return `[bosun: output truncated, first ${this.droppedChars} characters not kept]\n${body}`;
  }

  private emit(stream: OutputStream, text: string): void {
    if (!text) return;
    try {
      this.onOutput?.(text, stream);
    } catch {
      // A failing listener must not take the job down with it; the output is still kept.
    }
    this.keep(text);
  }

  private keep(text: string): void {
    if (text.length >= this.maxChars) {
      this.droppedChars += this.keptChars + text.length - this.maxChars;
      this.kept = [text.slice(text.length - this.maxChars)];
      this.keptChars = this.maxChars;
      return;
    }
    this.kept.push(text);
    this.keptChars += text.length;
    while (this.keptChars > this.maxChars) {
      const first = this.kept[0] ?? "";
      const excess = this.keptChars - this.maxChars;
      if (first.length <= excess) {
        this.kept.shift();
        this.keptChars -= first.length;
        this.droppedChars += first.length;
      } else {
        this.kept[0] = first.slice(excess);
        this.keptChars -= excess;
        this.droppedChars += excess;
      }
    }
  }
}
