/**
 * Answers a registry's challenge as Docker's clients do: Basic with the account's login, or a Bearer
 * token from the challenge's realm (the docker-registry token spec: GET realm?service=&scope=, the
 * login as Basic when there is one), kept per scope until shortly before it expires.
 */
import { RegistryError } from "./errors.js";
import type { Challenge } from "./challenge.js";

export interface Login {
  username: string;
  password: string;
}

/** Read at every login, so a password file refreshed meanwhile (ECR's token) is picked up. */
export type LoginSource = () => Promise<Login | undefined>;

/** The spec's default lifetime of a token that does not say. */
const DEFAULT_TOKEN_SECONDS = 60;

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class Authorizer {
  readonly #login: LoginSource;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #tokens = new Map<string, CachedToken>();
  /** The registry asked for Basic: every request then carries it without waiting to be challenged. */
  #basic: string | undefined;

  constructor(login: LoginSource, fetchImpl: typeof fetch, now: () => number = Date.now) {
    this.#login = login;
    this.#fetch = fetchImpl;
    this.#now = now;
  }

  /** The Authorization header already known for `scope`, if any. */
  header(scope: string): string | undefined {
    const token = this.#tokens.get(scope);
    if (token && token.expiresAt > this.#now()) return token.header;
    if (token) this.#tokens.delete(scope);
    return this.#basic;
  }

  /** Obtains an Authorization header answering the challenges of a 401 for `scope`. */
  async answer(challenges: readonly Challenge[], scope: string, address: string): Promise<string> {
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const login = await this.#login();
    if (bearer) return this.#token(bearer, scope, login, address);
    if (challenges.some((c) => c.scheme === "basic")) {
      if (!login)
        throw new RegistryError(
          "REGISTRY_LOGIN_FAILED",
          `${address} asks for a login, and the account has none`,
        );
      return (this.#basic = basic(login));
    }
    throw new RegistryError(
      "REGISTRY_LOGIN_FAILED",
      `${address} answered 401 without a Basic or Bearer challenge (WWW-Authenticate: ${challenges.map((c) => c.scheme).join(", ") || "none"})`,
    );
  }

  /** Forgets what was known for `scope` (the registry refused it). */
  forget(scope: string): void {
    this.#tokens.delete(scope);
    this.#basic = undefined;
  }

  async #token(
    challenge: Challenge,
    scope: string,
    login: Login | undefined,
    address: string,
  ): Promise<string> {
    const realm = challenge.params["realm"];
    if (!realm || !URL.canParse(realm))
      throw new RegistryError("REGISTRY_ANSWER_INVALID", `${address}: its Bearer challenge has no realm URL`);
    const url = new URL(realm);
    if (challenge.params["service"]) url.searchParams.set("service", challenge.params["service"]);
    // The challenge names the scope the resource needs; ours is the same unless the registry differs.
    url.searchParams.set("scope", challenge.params["scope"] || scope);
    let res: Response;
    try {
      res = await this.#fetch(url, {
        headers: { Accept: "application/json", ...(login ? { Authorization: basic(login) } : {}) },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new RegistryError(
        "REGISTRY_UNREACHABLE",
        `${address}: its token service ${url.origin} cannot be reached: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryError(
        "REGISTRY_LOGIN_FAILED",
        `${address}: its token service refused the account's login (${res.status})`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError("REGISTRY_UNREACHABLE", `${address}: its token service answered ${res.status}`);
    }
    const body = (await res.json().catch(() => undefined)) as
      { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown } | undefined;
    const token = typeof body?.token === "string" ? body.token : body?.access_token;
    if (typeof token !== "string" || token === "")
      throw new RegistryError(
        "REGISTRY_ANSWER_INVALID",
        `${address}: its token service answered without a token`,
      );
    const seconds =
      typeof body?.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Renewed a little early, so a request is not sent with a token that runs out on its way.
    const header = `Bearer ${token}`;
    this.#tokens.set(scope, { header, expiresAt: this.#now() + seconds * 900 });
    return header;
  }
}

function basic(login: Login): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
}
