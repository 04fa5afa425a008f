/** The CLI's side of the HTTP API: server address and admin token from flags, environment, or the data dir. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorCode } from "@bosun/core";

export interface ClientOptions {
  server?: string;
  token?: string;
  data?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Core's code from the server's answer, or SERVER_UNREACHABLE when there was none. */
    readonly code: ErrorCode | string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly tokenFile: string;

  constructor(options: ClientOptions) {
    const server = options.server ?? process.env.BOSUN_SERVER ?? "http://127.0.0.1:7744";
    // The lookbehind tries the trailing run once, from its start, not from every "/" in it.
    this.server = server.replace(/(?<!\/)\/+$/, "");
    this.tokenFile = join(options.data ?? ".data", "admin-token");
    this.token = options.token || process.env.BOSUN_TOKEN || readLocalToken(this.tokenFile);
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const q = Object.entries(query).filter(([, v]) => v !== undefined && v !== "");
    const qs = q.length
      ? `?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
      : "";
    return this.request<T>("GET", `${path}${qs}`);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.token) {
      throw new ApiError(
        0,
        "UNAUTHORIZED",
        `no admin token: pass --token, set BOSUN_TOKEN, or point --data at the server's data dir ` +
          `(no ${this.tokenFile} here)`,
      );
    }
    let res: Response;
    try {
      res = await fetch(`${this.server}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(
        0,
        "SERVER_UNREACHABLE",
        `cannot reach the Bosun server at ${this.server} (${(err as Error).cause ?? (err as Error).message}); is \`bosun serve\` running? (--server, BOSUN_SERVER)`,
      );
    }
    const json = (await res.json().catch(() => ({}))) as {
      error?: AnsweredProblem;
      problems?: AnsweredProblem[];
    };
    if (!res.ok && res.status !== 202) {
      const problems = json.problems ?? (json.error ? [json.error] : []);
      throw new ApiError(
        res.status,
        json.error?.code ?? "INTERNAL",
        problems.length ? problems.map(describeProblem).join("\n  ") : `HTTP ${res.status}`,
      );
    }
    return json as T;
  }
}

/** An error as the API answers it: where in the request, what was expected and found. */
interface AnsweredProblem {
  code: string;
  message: string;
  path?: string;
  expected?: string;
  found?: string;
}

function describeProblem(p: AnsweredProblem): string {
  const at = p.path ? ` at ${p.path}` : "";
  const expected =
    p.expected !== undefined
      ? ` (expected ${p.expected}${p.found !== undefined ? `, found ${p.found}` : ""})`
      : "";
  return `${p.message}${at}${expected}`;
}

function readLocalToken(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
