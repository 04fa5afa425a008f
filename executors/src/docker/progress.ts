/**
 * A pull answers 200 at once and reports progress, and failure, as a stream of JSON objects, one per
 * line. A failed pull is only visible as an `error` member somewhere in that stream, so the stream is
 * read to its end.
 */
import { BosunError } from "@bosun/core";
import type { Readable } from "node:stream";

export interface ProgressLine {
  /** Docker and Podman's compatible endpoint. */
  status?: string;
  /** Podman's own endpoint. */
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Reads the stream to its end; rejects with IMAGE_PULL_FAILED on the first error line. */
export async function readPullProgress(
  body: Readable,
  what: string,
  onLine?: (line: ProgressLine) => void,
): Promise<void> {
  let buffered = "";
  let failure: string | undefined;
  const handle = (raw: string) => {
    const text = raw.trim();
    if (!text) return;
    let line: ProgressLine;
    try {
      line = JSON.parse(text) as ProgressLine;
    } catch {
      return; // not a progress object; nothing to learn from it
    }
    onLine?.(line);
    const message = line.errorDetail?.message || line.error;
    if (message && failure === undefined) failure = message;
  };
  for await (const chunk of body) {
    buffered += (chunk as Buffer).toString("utf8");
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      handle(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  }
  handle(buffered);
  if (failure !== undefined) {
    throw new BosunError("IMAGE_PULL_FAILED", `pulling ${what} failed: ${failure}`);
  }
}
