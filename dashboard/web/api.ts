/**
 * The API as the page calls it: the token lives in sessionStorage (gone with the tab) and goes in the
 * Authorization header, never in a URL, so it is in no history, log or Referer.
 */
const TOKEN_KEY = "bosun.token";

export type Access = "admin" | "read";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function token(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Checks the token against the API; stored only when the API takes it. */
export async function signIn(candidate: string): Promise<Access> {
  const { access } = await get<{ access: Access }>("/session", candidate);
  sessionStorage.setItem(TOKEN_KEY, candidate);
  return access;
}

export function authHeaders(given = token()): Record<string, string> {
  return given ? { authorization: `Bearer ${given}` } : {};
}

export async function get<T>(path: string, given = token()): Promise<T> {
  return call<T>("GET", path, undefined, given);
}

export async function call<T>(method: string, path: string, body?: unknown, given = token()): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { ...authHeaders(given), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) {
    const { code = "INTERNAL", message = `HTTP ${res.status}` } = answer.error ?? {};
    throw new ApiError(res.status, code, message);
  }
  return answer as T;
}

/** A query string of the defined values, for API paths and dashboard links alike. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
