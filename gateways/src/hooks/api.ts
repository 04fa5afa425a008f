/**
 * The JSON-over-HTTP calls every registry client makes, through the global fetch: a bounded time, the
 * answer checked for its status, failures translated once (errors.ts).
 */
import { failureOf, unexpectedBody, unreachable, type FailureContext } from "./errors.js";

/** A registry API call that takes longer than this is WEBHOOK_UNREACHABLE. */
export const API_TIMEOUT_MS = 15_000;
const MAX_ERROR_TEXT = 8192;

export interface ApiCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** What Bosun is doing, for messages: "listing the webhook policies of project library". */
  doing: string;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined for an empty one. */
  json: unknown;
}

export interface ApiClientOptions {
  title: string;
  /** Secrets the calls carry (login, webhook token), kept out of every message; read at each failure. */
  secrets: readonly string[] | (() => readonly string[]);
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** The call's answer when 2xx; a WebhookError otherwise (or when a 2xx body is not JSON). */
  async call(call: ApiCall): Promise<ApiAnswer> {
    const context = this.context(call.doing);
    const headers: Record<string, string> = { accept: "application/json", ...call.headers };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(call.url, {
        method: call.method,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        redirect: "error",
        signal: AbortSignal.timeout(API_TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(error, context);
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      throw failureOf(
        { status: response.status, headers: response.headers, text: text.slice(0, MAX_ERROR_TEXT) },
        context,
      );
    }
    if (text.trim() === "") return { status: response.status, headers: response.headers, json: undefined };
    try {
      return { status: response.status, headers: response.headers, json: JSON.parse(text) as unknown };
    } catch {
      throw unexpectedBody(`HTTP ${response.status} with a body that is not JSON`, context);
    }
  }

  context(doing: string): FailureContext {
    const secrets = this.options.secrets;
    return { title: this.options.title, doing, secrets: typeof secrets === "function" ? secrets() : secrets };
  }

  /** A WebhookError for a 2xx body that lacks what the reference promises. */
  unexpected(what: string, doing: string): Error {
    return unexpectedBody(what, this.context(doing));
  }
}

/** The lookbehind tries a trailing run of slashes once, from its start, not from every "/" in it. */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/(?<!\/)\/+$/, "");
}

/** `base` (the API root, e.g. `https://harbor.example.com`) joined with a path and query. */
export function apiUrl(base: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(path === "" ? base : withoutTrailingSlashes(base) + path);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

/** A repository path for a URL path: each segment encoded, the slashes kept. */
export function encodedPath(repository: string): string {
  return repository.split("/").map(encodeURIComponent).join("/");
}
