/** The answers a gateway gives. Every error body is {"error": {code, message, path?, expected?, found?}}. */
import type { ErrorCode, Problem } from "@bosun/core";
import type { RegistryGateway } from "../registry.js";

export interface Answer {
  status: number;
  /** The client went away before its request arrived: nobody reads this answer. */
  aborted?: true;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string; expected?: string; found?: string };
}

/** Seconds a registry is asked to wait before retrying when the store cannot commit. */
export const RETRY_AFTER_SECONDS = 5;

export function errorAnswer(status: number, problem: Problem, headers?: Record<string, string>): Answer {
  const error: ErrorBody["error"] = { code: problem.code, message: problem.message };
  if (problem.path !== undefined) error.path = problem.path;
  if (problem.expected !== undefined) error.expected = problem.expected;
  if (problem.found !== undefined) error.found = problem.found;
  const answer: Answer = { status, body: { error } satisfies ErrorBody };
  if (headers) answer.headers = headers;
  return answer;
}

export function unknownRegistry(name: string, known: readonly RegistryGateway[]): Answer {
  const kinds = known.map((g) => g.kind).join(", ");
  return errorAnswer(404, {
    code: "NOT_FOUND",
    message: `No gateway for registry ${JSON.stringify(name.slice(0, 40))} here. Use /events/<registry>/<project> with one of: ${kinds}.`,
    path: "registry",
    expected: kinds,
  });
}

/** The same answer for an unknown project, a project without a token, and a missing or wrong token. */
export function unauthorized(gateway: RegistryGateway): Answer {
  const challenge = gateway.authenticationChallenge;
  return errorAnswer(
    401,
    {
      code: "UNAUTHORIZED",
      message:
        `Missing or invalid credentials for this project. Configure the project's webhookToken and send it ` +
        `in ${gateway.credentialHint}.`,
    },
    challenge === undefined ? undefined : { "WWW-Authenticate": challenge },
  );
}

export function bodyTooLarge(limitBytes: number): Answer {
  return errorAnswer(413, {
    code: "BODY_TOO_LARGE",
    message: `The request body is larger than the gateway accepts (${limitBytes} bytes). Raise bodyLimit in the server config if this registry sends larger payloads.`,
    expected: `at most ${limitBytes} bytes`,
    found: `more than ${limitBytes} bytes`,
  });
}

export function tooManyEvents(limit: number, found: number): Answer {
  return errorAnswer(413, {
    code: "TOO_MANY_EVENTS",
    message:
      `The request reports ${found} images; the gateway takes at most ${limit} events per request and stored none. ` +
      `Send smaller batches (fewer tags per notification, a smaller batch size), or raise server.maxEventsPerRequest.`,
    expected: `at most ${limit} events`,
    found: `${found} events`,
  });
}

/** Nginx's 499 "client closed request": for accounting only, the client is gone. */
export const ABORTED_STATUS = 499;

export function requestAborted(): Answer {
  return { status: ABORTED_STATUS, aborted: true, body: {} };
}

export function storeUnavailable(): Answer {
  return errorAnswer(
    503,
    {
      code: "STORE_UNAVAILABLE",
      message: `The event could not be stored right now; nothing was accepted. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
    },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}

/** Pub/Sub's push tokens cannot be checked: Google's keys are out of reach. Not a 401, so Pub/Sub retries. */
export function keysUnavailable(): Answer {
  return errorAnswer(
    503,
    {
      code: "KEYS_UNAVAILABLE",
      message: `The keys that verify this request's token could not be fetched; nothing was accepted. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
    },
    { "Retry-After": String(RETRY_AFTER_SECONDS) },
  );
}

export function internalError(): Answer {
  return errorAnswer(500, {
    code: "INTERNAL",
    message:
      "The gateway failed while handling this request; nothing was accepted. Retry later; the server log has details.",
  });
}
