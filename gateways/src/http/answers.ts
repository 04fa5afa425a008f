/**
 * The answers a gateway gives. Every error body is {"error": {code, message, path?, expected?, found?}},
 * and its status (and Retry-After) comes from the code, through core's one mapping (httpErrorOf).
 */
import {
  errorBody,
  failureAnswerOf,
  httpErrorOf,
  RETRY_AFTER_SECONDS,
  type FailureMessages,
  type Problem,
} from "@bosun/core";
import type { RegistryGateway } from "../registry.js";

export type { ErrorBody } from "@bosun/core";
export { RETRY_AFTER_SECONDS } from "@bosun/core";

export interface Answer {
  status: number;
  /** The client went away before its request arrived: nobody reads this answer. */
  aborted?: true;
  headers?: Record<string, string>;
  body: unknown;
}

export function errorAnswer(problem: Problem, headers?: Record<string, string>): Answer {
  const http = httpErrorOf(problem.code);
  const answer: Answer = { status: http.status, body: errorBody({ ...problem, code: http.code }) };
  if (http.headers || headers) answer.headers = { ...http.headers, ...headers };
  return answer;
}

export function unknownRegistry(name: string, known: readonly RegistryGateway[]): Answer {
  const kinds = known.map((g) => g.kind).join(", ");
  return errorAnswer({
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
  return errorAnswer({
    code: "BODY_TOO_LARGE",
    message: `The request body is larger than the gateway accepts (${limitBytes} bytes). Raise bodyLimit in the server config if this registry sends larger payloads.`,
    expected: `at most ${limitBytes} bytes`,
    found: `more than ${limitBytes} bytes`,
  });
}

export function tooManyEvents(limit: number, found: number): Answer {
  return errorAnswer({
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

/** What a server-side failure is answered with; nothing of its cause (the log has it). */
const FAILURE_MESSAGES: FailureMessages = {
  STORE_UNAVAILABLE: `The event could not be stored right now; nothing was accepted. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
  // Pub/Sub's push tokens cannot be checked: Google's keys are out of reach. Not a 401, so Pub/Sub retries.
  KEYS_UNAVAILABLE: `The keys that verify this request's token could not be fetched; nothing was accepted. Retry after ${RETRY_AFTER_SECONDS} seconds.`,
  INTERNAL:
    "The gateway failed while handling this request; nothing was accepted. Retry later; the server log has details.",
};

/** The answer for a thrown error: 503 + Retry-After for the store or keys, 500 for anything unexpected. */
export function failureAnswer(error: unknown): Answer {
  const { status, headers, body } = failureAnswerOf(error, FAILURE_MESSAGES);
  return headers ? { status, headers, body } : { status, body };
}
