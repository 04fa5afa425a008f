/**
 * Secret redaction for streamed output. Output arrives in arbitrary chunks, so a secret can be split
 * across two of them: the redactor holds back the shortest tail that could still grow into a secret
 * and releases it once the next chunk (or the end of the stream) decides. Same policy as core's
 * createRedactor (mask, minimum length), which handles whole texts.
 */
import { createRedactor, REDACTED, redactionTargets } from "@bosun/core";

export class StreamRedactor {
  /**
   * The texts to mask (the secrets with their escaped forms and lines, as core's createRedactor
   * masks), by their first UTF-16 code unit, longest first: a position is checked only against the
   * texts that can start there, however many forms the secrets have.
   */
  private readonly byStart = new Map<number, string[]>();
  private pending = "";

  constructor(secrets: readonly string[] = []) {
    for (const target of redactionTargets(secrets)) {
      const code = target.charCodeAt(0);
      const list = this.byStart.get(code);
      if (list) list.push(target);
      else this.byStart.set(code, [target]);
    }
  }

  /** Redacts what can be decided now; may return less text than it was given. */
  push(text: string): string {
    if (this.byStart.size === 0) return text;
    return this.scan(this.pending + text, false);
  }

  /** The end of the stream: whatever was held back is released, redacted. */
  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest ? this.scan(rest, true) : "";
  }

  /**
   * Left to right, the longest secret matching at a position is masked. When the buffer ends inside
   * what could still become a secret (and `final` is false), the text from there on is kept for later.
   */
  private scan(buf: string, final: boolean): string {
    const n = buf.length;
    let out = "";
    let emitFrom = 0;
    let p = 0;
    this.pending = "";
    while (p < n) {
      const candidates = this.byStart.get(buf.charCodeAt(p));
      if (!candidates) {
        p++;
        continue;
      }
      let best = 0;
      let undecided = false;
      for (const s of candidates) {
        if (buf.startsWith(s, p)) {
          best = Math.max(best, s.length);
        } else if (!final && n - p < s.length && s.startsWith(buf.slice(p))) {
          undecided = true;
        }
      }
      // Secrets are longest first, so an undecided one is longer than any match here: wait for more.
      if (undecided) {
        this.pending = buf.slice(p);
        return out + buf.slice(emitFrom, p);
      }
      if (best > 0) {
        out += buf.slice(emitFrom, p) + REDACTED;
        p += best;
        emitFrom = p;
      } else {
        p++;
      }
    }
    return out + buf.slice(emitFrom);
  }
}

/** Redacts a complete text (error messages, for instance). */
export function redactAll(text: string, secrets: readonly string[] = []): string {
  return createRedactor(secrets)(text);
}
