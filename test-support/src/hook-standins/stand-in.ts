/**
 * What every registry API stand-in shares: a real HTTP server on 127.0.0.1 that records each request,
 * checks it the way the registry's API reference describes (a request it would refuse as malformed is
 * a `violation`: answered 400 and recorded, so a test fails on it), and answers like the registry.
 * A test can make the next request fail with the registry's own error answer (`failNext`).
 */
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a gateway reads it (the gateways' RequestWithBody): headers, query, the raw body. */
export interface DeliveredRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: URLSearchParams;
  body: Buffer;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON; absent: an empty body. */
  body?: unknown;
}

/** A request the real API would refuse as malformed (wrong method, path, body shape). */
export class Violation extends Error {}

export interface FailureOptions {
  when?: (request: SeenRequest) => boolean;
  times?: number;
  headers?: Record<string, string>;
}

interface Failure {
  when: (request: SeenRequest) => boolean;
  times: number;
  status: number;
  headers: Record<string, string>;
}

export type Route = (request: SeenRequest) => StandInAnswer;

export interface StandIn {
  readonly url: string;
  readonly requests: SeenRequest[];
  readonly violations: string[];
  /**
   * The next request (of those `when` picks; any by default) is answered with the registry's error,
   * `times` times over (once by default).
   */
  failNext(status: number, options?: FailureOptions): void;
  /** Requests that change something. */
  writes(): SeenRequest[];
  close(): Promise<void>;
}

export interface HookStandIn extends StandIn {
  /** The hooks it holds now, across repositories. */
  hookCount(): number;
  /** The request the registry would deliver for this body through every hook it holds now. */
  deliveries(body: Buffer): DeliveredRequest[];
  /** A repository (or project) the login may manage. */
  readonly repository: string;
  /** One that does not exist, for registries whose API paths name the repository. */
  readonly missingRepository?: string;
}

export async function startStandIn(
  route: Route,
  errorBody: (status: number, message: string) => unknown,
): Promise<StandIn> {
  const requests: SeenRequest[] = [];
  const violations: string[] = [];
  const failures: Failure[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      const text = Buffer.concat(chunks).toString("utf8");
      const seen: SeenRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: undefined,
      };
      let answer: StandInAnswer;
      try {
        if (text !== "") {
          if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
            throw new Violation(`a body sent as ${req.headers["content-type"] ?? "no content type"}`);
          }
          seen.body = JSON.parse(text) as unknown;
        }
        requests.push(seen);
        const failure = failures.find((f) => f.when(seen));
        if (failure !== undefined) {
          if (--failure.times === 0) failures.splice(failures.indexOf(failure), 1);
          // Registries echo what they were sent in their errors: the client must keep it out of messages.
          answer = {
            status: failure.status,
            headers: failure.headers,
            body: errorBody(failure.status, `refused ${seen.method} ${req.url ?? ""}: ${text}`),
          };
        } else {
          answer = route(seen);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof Violation)) throw error;
        violations.push(`${seen.method} ${seen.path}: ${message}`);
        answer = { status: 400, body: errorBody(400, message) };
      }
      const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...(body === "" ? {} : { "content-type": "application/json" }),
        ...answer.headers,
      });
      res.end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    failNext(status, options = {}) {
      failures.push({
        when: options.when ?? (() => true),
        times: options.times ?? 1,
        status,
        headers: options.headers ?? {},
      });
    },
    writes: () => requests.filter((r) => r.method !== "GET"),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

// Checks of request shapes, each throwing a Violation.

export function fieldsOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Violation(`${where} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

type Kind = "string" | "boolean" | "number" | "array" | "object";

/** Every required field present with its type, and no field the reference does not name. */
export function shape(
  value: unknown,
  where: string,
  required: Readonly<Record<string, Kind>>,
  optional: Readonly<Record<string, Kind>> = {},
): Record<string, unknown> {
  const fields = fieldsOf(value, where);
  for (const key of Object.keys(required)) {
    if (!Object.hasOwn(fields, key)) throw new Violation(`${where}.${key} is required`);
  }
  for (const [key, field] of Object.entries(fields)) {
    const kind = required[key] ?? optional[key];
    if (kind === undefined) throw new Violation(`${where}.${key} is not a field of the API`);
    const actual = Array.isArray(field) ? "array" : field === null ? "null" : typeof field;
    if (actual !== kind) throw new Violation(`${where}.${key} is ${actual}, not ${kind}`);
  }
  return fields;
}

export function stringsIn(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new Violation(`${where} is not a list of strings`);
  }
  return value as string[];
}

export function header(request: SeenRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** The JSON body of `failNext` answers and refusals, shaped per registry. */
export const errorShapes = {
  harbor: (status: number, message: string) => ({ errors: [{ code: String(status), message }] }),
  quay: (status: number, message: string) => ({
    status,
    error_message: message,
    title: "error",
    type: `https://quay.io/api/v1/error/${status}`,
    detail: message,
  }),
  dockerhub: (_status: number, message: string) => ({ message, errinfo: {} }),
  jfrog: (status: number, message: string) => ({ errors: [{ status, message }] }),
  github: (_status: number, message: string) => ({
    message,
    documentation_url: "https://docs.github.com/rest",
  }),
};
