/**
 * Errors and results shared by every package. Parsers and validators return a Result instead of
 * throwing; boundaries (HTTP, sandbox, executor) translate failures into stable codes (error-codes.ts)
 * once.
 */

import type { ErrorCode } from "./error-codes.js";

export type { ErrorCode } from "./error-codes.js";

/** One thing that is wrong with an input: where, what was expected, what was found. */
export interface Problem {
  code: ErrorCode;
  message: string;
  /** Path inside the input, e.g. "projects[0].subscriptions[1].registry" or "push_data.tag". */
  path?: string;
  expected?: string;
  found?: string;
  /** Source file, and 1-based line and column, when the input came from a file. */
  file?: string;
  line?: number;
  column?: number;
}

export type Result<T> = { value: T; errors?: undefined } | { value?: undefined; errors: Problem[] };

export const ok = <T>(value: T): Result<T> => ({ value });
export const fail = <T = never>(...errors: Problem[]): Result<T> => ({ errors });

/** An error that crosses a boundary with a stable code. */
export class BosunError extends Error {
  readonly code: ErrorCode;
  readonly problems: Problem[];
  constructor(code: ErrorCode, message: string, problems: Problem[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = "BosunError";
    this.code = code;
    this.problems = problems;
  }
}

/** Thrown by a store that could not commit or read; every HTTP endpoint answers it 503 with Retry-After. */
export class StoreUnavailableError extends BosunError {
  constructor(message: string, options?: ErrorOptions) {
    super("STORE_UNAVAILABLE", message, [], options);
    this.name = "StoreUnavailableError";
  }
}

/** Renders problems for people: one line each, with file:line:column when known. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => {
      const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
      const at = p.path ? ` at ${p.path}` : "";
      const exp =
        p.expected !== undefined
          ? ` (expected ${p.expected}${p.found !== undefined ? `, found ${p.found}` : ""})`
          : "";
      return `${where ? where + ": " : ""}${p.message}${at}${exp} [${p.code}]`;
    })
    .join("\n");
}
