/**
 * The one translation of a registry API's failure into Bosun's error codes. Messages name the
 * registry, what Bosun was doing and the registry's own reason, with every secret in play (the login,
 * the webhook token) taken out, since registries echo request fields in their errors.
 */
import { BosunError, createRedactor, type ErrorCode } from "@bosun/core";

export type WebhookErrorCode = Extract<ErrorCode, `WEBHOOK_${string}`>;

export class WebhookError extends BosunError {
  declare readonly code: WebhookErrorCode;
  /** The registry's HTTP status; undefined when it was not reached or refused nothing. */
  readonly status: number | undefined;
  /** Seconds the registry asked to wait (Retry-After, or GitHub's rate limit reset), when it did. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: WebhookErrorCode,
    message: string,
    details: { status?: number; retryAfterSeconds?: number } = {},
    options?: ErrorOptions,
  ) {
    super(code, message, [], options);
    this.name = "WebhookError";
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

export interface FailureContext {
  /** "Harbor" */
  title: string;
  /** "listing the webhook policies of project library" */
  doing: string;
  /** Every secret the request carried or could echo. */
  secrets: readonly string[];
}

export interface FailedAnswer {
  status: number;
  headers: Headers;
  /** The answer's body as text (at most a few KiB are kept). */
  text: string;
}

const CODE_OF_STATUS: Readonly<Record<number, WebhookErrorCode>> = {
  401: "WEBHOOK_UNAUTHORIZED",
  403: "WEBHOOK_FORBIDDEN",
  404: "WEBHOOK_NOT_FOUND",
  409: "WEBHOOK_CONFLICT",
  429: "WEBHOOK_RATE_LIMITED",
};

/** A registry's error answer as a WebhookError. */
export function failureOf(answer: FailedAnswer, context: FailureContext): WebhookError {
  const retryAfterSeconds = retryAfterOf(answer.headers);
  // GitHub answers an exhausted rate limit 403 (or 429) with x-ratelimit-remaining: 0, and its
  // secondary rate limit 403 with Retry-After.
  const limited =
    answer.status === 429 ||
    (answer.status === 403 && answer.headers.has("retry-after")) ||
    answer.headers.get("x-ratelimit-remaining") === "0";
  const code = limited ? "WEBHOOK_RATE_LIMITED" : (CODE_OF_STATUS[answer.status] ?? "WEBHOOK_API_ERROR");
  const reason = reasonOf(answer.text);
  const wait = retryAfterSeconds === undefined ? "" : `; retry after ${retryAfterSeconds} s`;
  const message = `${context.title} answered HTTP ${answer.status} ${explanation(code)} while ${context.doing}${
    reason === "" ? "" : `: ${reason}`
  }${wait}`;
  return new WebhookError(code, redacted(message, context.secrets), {
    status: answer.status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** The registry could not be reached at all. */
export function unreachable(error: unknown, context: FailureContext): WebhookError {
  const cause = error instanceof Error ? (causeMessage(error) ?? error.message) : String(error);
  return new WebhookError(
    "WEBHOOK_UNREACHABLE",
    redacted(`${context.title} cannot be reached while ${context.doing}: ${cause}`, context.secrets),
    {},
    { cause: error },
  );
}

/** A 2xx answer whose body is not what the API reference describes. */
export function unexpectedBody(what: string, context: FailureContext): WebhookError {
  return new WebhookError(
    "WEBHOOK_API_ERROR",
    redacted(`${context.title} answered ${what} while ${context.doing}`, context.secrets),
  );
}

function explanation(code: WebhookErrorCode): string {
  switch (code) {
    case "WEBHOOK_UNAUTHORIZED":
      return "(the login was refused)";
    case "WEBHOOK_FORBIDDEN":
      return "(the login may not manage webhooks here)";
    case "WEBHOOK_NOT_FOUND":
      return "(no such repository, project or webhook)";
    case "WEBHOOK_CONFLICT":
      return "(a webhook of that name or URL exists)";
    case "WEBHOOK_RATE_LIMITED":
      return "(rate limited)";
    default:
      return "(an error)";
  }
}

/** Retry-After in seconds (RFC 9110: seconds or an HTTP date), else GitHub's x-ratelimit-reset epoch. */
function retryAfterOf(headers: Headers): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (value !== undefined && /^\d{1,9}$/.test(value)) return Number(value);
  if (value !== undefined && value !== "") {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset !== undefined && /^\d{1,12}$/.test(reset)) {
    return Math.max(0, Number(reset) - Math.floor(Date.now() / 1000));
  }
  return undefined;
}

const MAX_REASON = 300;

/** The registry's own words: the message fields of the error shapes the registries answer with. */
function reasonOf(text: string): string {
  let reason = text.trim();
  try {
    reason = messagesIn(JSON.parse(text) as unknown).join("; ") || reason;
  } catch {
    // Not JSON: the text as it is.
  }
  const oneLine = reason.replace(/\s+/g, " ");
  return oneLine.length > MAX_REASON ? `${oneLine.slice(0, MAX_REASON)}…` : oneLine;
}

const MESSAGE_KEYS = ["message", "error_message", "detail", "error_description", "error", "errors"];

function messagesIn(value: unknown, depth = 0): string[] {
  if (depth > 3) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap((v) => messagesIn(v, depth + 1));
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  // All of them, once each: GitHub says "Validation Failed" and why in errors[].message.
  const found = MESSAGE_KEYS.filter((key) => Object.hasOwn(record, key)).flatMap((key) =>
    messagesIn(record[key], depth + 1),
  );
  return [...new Set(found)];
}

function causeMessage(error: Error): string | undefined {
  const cause = error.cause;
  return cause instanceof Error ? cause.message : undefined;
}

function redacted(message: string, secrets: readonly string[]): string {
  // Beyond core's forms: base64 (Basic credentials) and form encoding (a token in a query, `+` for space).
  const encoded = secrets.flatMap((s) => [
    s,
    Buffer.from(s).toString("base64"),
    new URLSearchParams({ t: s }).toString().slice(2),
  ]);
  return createRedactor(encoded)(message);
}
