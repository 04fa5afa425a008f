/**
 * A Distribution v2 API client for what watching needs: the catalog, a repository's tags (every
 * page), and a tag's digest (a HEAD of its manifest; a GET only for a manifest list, whose
 * platform's entry is what counts). Logins as Docker's clients answer challenges (auth.ts); every
 * request passes the registry's gate (gate.ts), and a 429 is waited out and tried again.
 */
import { createHash } from "node:crypto";
import type { Platform } from "@bosun/core";
import { Authorizer, type LoginSource } from "./auth.js";
import { parseChallenges } from "./challenge.js";
import { RegistryError } from "./errors.js";
import { retryAfterMs, type RequestGate } from "./gate.js";
import { isList, MANIFEST_ACCEPT, platformEntry } from "./manifests.js";

export interface RegistryClientOptions {
  /** host[:port] as in image references; docker.io is Docker Hub's registry-1.docker.io. */
  address: string;
  /** Plain HTTP. */
  insecure: boolean;
  login: LoginSource;
  /** Shared by every client of the same registry. */
  gate: RequestGate;
  fetch?: typeof fetch;
  /** Tags or repositories asked for per page (`?n=`). Default 1000. */
  pageSize?: number;
  /** 429s waited out before giving up. Default 5. */
  maxRateLimitRetries?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** When tokens expire; replaced in tests. */
  now?: () => number;
}

export interface TagDigest {
  /** The digest that counts: the platform's entry of a manifest list, else the manifest's own. */
  digest: string;
  mediaType?: string;
  /** The manifest list's own digest, when the tag names one. */
  listDigest?: string;
}

/** No answer of the Distribution API we read is anywhere near this. */
const MAX_BODY = 8 * 1024 * 1024;
const MAX_PAGES = 10_000;
/** Lists already read, by digest (immutable), with the entry picked: an unchanged list costs a HEAD. */
const LIST_CACHE = 1_000;

export class RegistryClient {
  readonly address: string;
  readonly #base: URL;
  readonly #options: RegistryClientOptions;
  readonly #fetch: typeof fetch;
  readonly #auth: Authorizer;
  readonly #lists = new Map<string, TagDigest>();

  constructor(options: RegistryClientOptions) {
    this.address = options.address;
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    const host = options.address === "docker.io" ? "registry-1.docker.io" : options.address;
    this.#base = new URL(`${options.insecure ? "http" : "https"}://${host}/`);
    this.#auth = new Authorizer(options.login, this.#fetch, options.now);
  }

  /** GET /v2/: reachable, and the account's login accepted. */
  async check(): Promise<void> {
    const res = await this.#send("/v2/", { scope: "registry:catalog:*", method: "GET" });
    await res.body?.cancel();
    if (!res.ok) throw this.#unexpected(res, "/v2/");
  }

  /** Every repository the catalog lists to this account. */
  catalog(): Promise<string[]> {
    return this.#pages("/v2/_catalog", "registry:catalog:*", "repositories");
  }

  /** Every tag of the repository, across pages. */
  tags(repository: string): Promise<string[]> {
    return this.#pages(`/v2/${repository}/tags/list`, pullScope(repository), "tags", repository);
  }

  /** The tag's digest that counts for `platform`; undefined when the tag is gone. */
  async tagDigest(repository: string, tag: string, platform: Platform): Promise<TagDigest | undefined> {
    const path = `/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const scope = pullScope(repository);
    const head = await this.#send(path, { scope, method: "HEAD", accept: MANIFEST_ACCEPT });
    await head.body?.cancel();
    if (head.status === 404) return undefined;
    if (!head.ok) throw this.#unexpected(head, path);
    const mediaType = head.headers.get("content-type")?.split(";")[0]?.trim() || undefined;
    let digest = head.headers.get("docker-content-digest") ?? undefined;
    if (digest !== undefined && !isList(mediaType)) return { digest, ...(mediaType ? { mediaType } : {}) };
    // No digest in the HEAD (some registries), or a list: the manifest itself is read.
    const cached = digest === undefined ? undefined : this.#lists.get(listKey(digest, platform));
    if (cached) return cached;
    const got = await this.#send(digest === undefined ? path : `/v2/${repository}/manifests/${digest}`, {
      scope,
      method: "GET",
      accept: MANIFEST_ACCEPT,
    });
    if (got.status === 404) {
      await got.body?.cancel();
      return undefined;
    }
    if (!got.ok) throw this.#unexpected(got, path);
    const body = await readBody(got, path);
    const computed = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    if (digest !== undefined && digest.startsWith("sha256:") && digest !== computed)
      throw new RegistryError(
        "REGISTRY_ANSWER_INVALID",
        `${this.address}${path}: the manifest does not match its digest ${digest}`,
      );
    digest ??= got.headers.get("docker-content-digest") ?? computed;
    const type = got.headers.get("content-type")?.split(";")[0]?.trim() || mediaType;
    if (!isList(type)) return { digest, ...(type ? { mediaType: type } : {}) };
    const entry = platformEntry(parseJson(body, `${this.address}${path}`), platform);
    // A list without the platform: its own digest is what changes.
    const result: TagDigest = entry
      ? {
          digest: entry.digest,
          ...(entry.mediaType ? { mediaType: entry.mediaType } : {}),
          listDigest: digest,
        }
      : { digest, ...(type ? { mediaType: type } : {}), listDigest: digest };
    if (this.#lists.size >= LIST_CACHE) this.#lists.delete(this.#lists.keys().next().value!);
    this.#lists.set(listKey(digest, platform), result);
    return result;
  }

  /** Follows `Link: <...>; rel="next"` from page to page, gathering `field` of each. */
  async #pages(path: string, scope: string, field: string, repository?: string): Promise<string[]> {
    const out: string[] = [];
    let next: URL | undefined = new URL(path, this.#base);
    next.searchParams.set("n", String(this.#options.pageSize ?? 1000));
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next.href) || seen.size >= MAX_PAGES)
        throw new RegistryError(
          "REGISTRY_ANSWER_INVALID",
          `${this.address}${path}: its pages lead back to one already read`,
        );
      seen.add(next.href);
      const res = await this.#send(next, { scope, method: "GET" });
      if (res.status === 404 && repository !== undefined) {
        await res.body?.cancel();
        throw new RegistryError(
          "REGISTRY_REPOSITORY_NOT_FOUND",
          `${this.address}: no repository ${repository}`,
        );
      }
      if (!res.ok) throw this.#unexpected(res, path);
      const page = parseJson(await readBody(res, path), `${this.address}${path}`) as Record<string, unknown>;
      const items = page?.[field] ?? [];
      if (!Array.isArray(items) || items.some((t) => typeof t !== "string"))
        throw new RegistryError(
          "REGISTRY_ANSWER_INVALID",
          `${this.address}${path}: "${field}" is not a list of names`,
        );
      out.push(...(items as string[]));
      next = nextPage(res.headers.get("link"), res.url || next.href);
      // Credentials go to the registry only: a next page elsewhere is not followed.
      if (next && next.origin !== this.#base.origin)
        throw new RegistryError(
          "REGISTRY_ANSWER_INVALID",
          `${this.address}${path}: its next page is on another host (${next.origin})`,
        );
    }
    return out;
  }

  async #send(
    target: string | URL,
    { scope, method, accept }: { scope: string; method: "GET" | "HEAD"; accept?: string },
  ): Promise<Response> {
    const url = new URL(target, this.#base);
    const retries = this.#options.maxRateLimitRetries ?? 5;
    let challenged = false;
    for (let limited = 0; ;) {
      await this.#options.gate.take();
      const authorization = this.#auth.header(scope);
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method,
          headers: {
            ...(accept ? { Accept: accept } : {}),
            ...(authorization ? { Authorization: authorization } : {}),
          },
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
        });
      } catch (err) {
        throw new RegistryError(
          "REGISTRY_UNREACHABLE",
          `${this.address} cannot be reached: ${(err as Error).message}`,
          { cause: err },
        );
      }
      if (res.status === 429) {
        await res.body?.cancel();
        this.#options.gate.limited(retryAfterMs(res.headers.get("retry-after")));
        if (++limited > retries)
          throw new RegistryError(
            "REGISTRY_RATE_LIMITED",
            `${this.address} answered 429 ${limited} times in a row (${url.pathname})`,
          );
        continue;
      }
      this.#options.gate.answered();
      if (res.status === 401 && !challenged) {
        await res.body?.cancel();
        challenged = true;
        if (authorization) this.#auth.forget(scope);
        await this.#auth.answer(parseChallenges(res.headers.get("www-authenticate")), scope, this.address);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new RegistryError(
          "REGISTRY_LOGIN_FAILED",
          `${this.address} refused the account (${res.status} for ${url.pathname})`,
        );
      }
      if (res.status >= 500) {
        await res.body?.cancel();
        throw new RegistryError(
          "REGISTRY_UNREACHABLE",
          `${this.address} answered ${res.status} (${url.pathname})`,
        );
      }
      return res;
    }
  }

  #unexpected(res: Response, path: string): RegistryError {
    void res.body?.cancel().catch(() => undefined);
    return new RegistryError(
      "REGISTRY_ANSWER_INVALID",
      `${this.address}${path}: unexpected answer ${res.status}`,
    );
  }
}

const pullScope = (repository: string) => `repository:${repository}:pull`;
const listKey = (digest: string, p: Platform) => `${digest} ${p.os}/${p.architecture}/${p.variant ?? ""}`;

async function readBody(res: Response, path: string): Promise<Buffer> {
  const length = Number(res.headers.get("content-length") ?? 0);
  if (length > MAX_BODY) {
    await res.body?.cancel();
    throw new RegistryError(
      "REGISTRY_ANSWER_INVALID",
      `${path}: the answer is larger than ${MAX_BODY} bytes`,
    );
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > MAX_BODY)
    throw new RegistryError(
      "REGISTRY_ANSWER_INVALID",
      `${path}: the answer is larger than ${MAX_BODY} bytes`,
    );
  return body;
}

function parseJson(body: Buffer, where: string): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RegistryError("REGISTRY_ANSWER_INVALID", `${where}: the answer is not JSON`);
  }
}

/** The `rel="next"` target of a Link header (RFC 8288), resolved against the page's URL. */
export function nextPage(link: string | null, base: string): URL | undefined {
  for (const part of (link ?? "").split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2]!)) return new URL(m[1]!, base);
  }
  return undefined;
}
