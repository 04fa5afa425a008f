/**
 * The admin API's error answers (and the server's own routes'): status and Retry-After come from
 * core's one mapping (httpErrorOf), so a code is answered alike here and by the gateways.
 */
import type { NextFunction, Request, Response } from "express";
import {
  errorBody,
  failureAnswerOf,
  httpErrorOf,
  RETRY_AFTER_SECONDS,
  type FailureMessages,
  type HttpErrorCode,
  type Problem,
} from "@bosun/core";

export function sendError(res: Response, code: HttpErrorCode, message: string): Response {
  const { status, headers } = httpErrorOf(code);
  if (headers) res.set(headers);
  return res.status(status).json(errorBody({ code, message }));
}

/** A 400 naming every problem of a request (the first one's code is the answer's). */
export function sendProblems(res: Response, problems: readonly Problem[]): Response {
  const first = problems[0]!;
  return res.status(httpErrorOf(first.code).status).json({
    ...errorBody(first),
    problems: problems.map((p) => errorBody(p).error),
  });
}

const FAILURE_MESSAGES: FailureMessages = {
  STORE_UNAVAILABLE: `The store cannot be read or written right now; retry after ${RETRY_AFTER_SECONDS} seconds. The server log says why.`,
  INTERNAL: "internal error; see the server log",
};

/** Answers an error a route threw: 503 + Retry-After for the store, 500 for anything unexpected. */
export function sendFailure(res: Response, error: unknown): Response {
  const { status, headers, body } = failureAnswerOf(error, FAILURE_MESSAGES);
  if (headers) res.set(headers);
  return res.status(status).json(body);
}

/**
 * The last middleware of a router: a request body express could not read is the client's mistake
 * (400 or 413, not logged); every other failure is logged and answered through sendFailure.
 */
export function failureHandler(onError?: (err: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const unreadable = unreadableBody(err);
    if (unreadable) {
      sendError(res, unreadable.code, unreadable.message);
      return;
    }
    onError?.(err);
    sendFailure(res, err);
  };
}

/** body-parser's errors (express.json) carry a `type`; its message says what was wrong and where. */
function unreadableBody(err: unknown): { code: HttpErrorCode; message: string } | undefined {
  const { type, message } = (err ?? {}) as { type?: unknown; message?: unknown };
  const detail = typeof message === "string" ? message : "";
  if (type === "entity.parse.failed")
    return { code: "PAYLOAD_MALFORMED", message: `the request body is not valid JSON: ${detail}` };
  if (type === "entity.too.large")
    return { code: "BODY_TOO_LARGE", message: `the request body is over the API's limit: ${detail}` };
  if (type === "encoding.unsupported" || type === "charset.unsupported")
    return { code: "PAYLOAD_MALFORMED", message: `the request body cannot be read: ${detail}` };
  return undefined;
}
