/**
 * The one mapping from an error (or its code) to an HTTP answer: status, headers and body shape. The
 * gateways and the admin API both answer through it, so a code means the same status everywhere.
 */
import { ERROR_CODES, isErrorCode, type ErrorCode, type HttpErrorCode } from "./error-codes.js";
import { BosunError, type Problem } from "./errors.js";

/** Seconds a client is asked to wait before retrying an answer that says to (503). */
export const RETRY_AFTER_SECONDS = 5;

/** Every error body: {"error": {code, message, path?, expected?, found?}}. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string; expected?: string; found?: string };
}

export interface HttpError {
  code: HttpErrorCode;
  status: number;
  /** `Retry-After` for the codes that ask the client to retry. */
  headers?: Record<string, string>;
}

export function isHttpErrorCode(code: ErrorCode): code is HttpErrorCode {
  return ERROR_CODES[code].http !== null;
}

/**
 * The HTTP status of a code, or of a thrown error: a BosunError whose code is answered over HTTP keeps
 * it; anything else (a bug, a code that is never an HTTP answer) is INTERNAL, 500.
 */
export function httpErrorOf(error: unknown): HttpError {
  const code = codeOf(error);
  const status = ERROR_CODES[code].http;
  return status === 503
    ? { code, status, headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } }
    : { code, status };
}

function codeOf(error: unknown): HttpErrorCode {
  if (isErrorCode(error) && isHttpErrorCode(error)) return error;
  if (error instanceof BosunError && isHttpErrorCode(error.code)) return error.code;
  return "INTERNAL";
}

/** The body of an error answer for a problem; the path, expected and found only when known. */
export function errorBody(
  problem: Pick<Problem, "code" | "message" | "path" | "expected" | "found">,
): ErrorBody {
  const error: ErrorBody["error"] = { code: problem.code, message: problem.message };
  if (problem.path !== undefined) error.path = problem.path;
  if (problem.expected !== undefined) error.expected = problem.expected;
  if (problem.found !== undefined) error.found = problem.found;
  return { error };
}

export interface HttpErrorAnswer extends HttpError {
  body: ErrorBody;
}

/** What server-side failures (5xx) are answered with, by code; INTERNAL's is for anything else. */
export type FailureMessages = Partial<Record<HttpErrorCode, string>> & { INTERNAL: string };

/**
 * The answer for a thrown error. A client's error (4xx) keeps its own message; a server-side one is
 * answered with the endpoint's message for its code, since its cause (paths, SQL) belongs in the log.
 */
export function failureAnswerOf(error: unknown, messages: FailureMessages): HttpErrorAnswer {
  const http = httpErrorOf(error);
  const message =
    http.status < 500 && error instanceof BosunError
      ? error.message
      : (messages[http.code] ?? messages.INTERNAL);
  return { ...http, body: errorBody({ code: http.code, message }) };
}
