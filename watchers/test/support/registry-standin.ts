/**
 * A registry stand-in for what the real one here cannot be made to do: answer 429 with Retry-After,
 * cap its pages, and serve manifest lists of several platforms. Built from the Distribution API
 * (distribution/docs/spec/api.md) and strict about what it is asked: every request must carry the
 * account's Basic login, a manifest request the Accept types a real client sends; anything else is
 * recorded as unexpected and answered as a registry would (401, 404).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const INDEX = "application/vnd.oci.image.index.v1+json";
export const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const ACCEPTED = [
  INDEX,
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  MANIFEST,
];

export interface StandinRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept?: string;
  /** It carried the account's login (the first request of a client is unauthenticated, then challenged). */
  authorized: boolean;
}

export interface Standin {
  /** host:port */
  host: string;
  requests: StandinRequest[];
  /** Requests it did not expect: a wrong method, path, login or Accept. */
  unexpected: string[];
  /** The next `count` requests whose path starts with `prefix` are answered 429, with Retry-After when given. */
  limit(prefix: string, count: number, retryAfter?: string): void;
  /** Sets a tag to an image manifest of its own (named by `seed`); returns its digest. */
  image(repo: string, tag: string, seed: string): string;
  /** Sets a tag to a manifest list of one image per platform; returns the platforms' digests and the list's. */
  list(
    repo: string,
    tag: string,
    platforms: Record<string, string>,
  ): { list: string; platforms: Record<string, string> };
  stop(): Promise<void>;
}

interface Stored {
  body: string;
  mediaType: string;
}

export async function startStandin(
  login: { username: string; password: string },
  pageCap = 2,
): Promise<Standin> {
  const repos = new Map<string, Map<string, string>>(); // repo → tag → digest
  const blobs = new Map<string, Stored>(); // digest → manifest
  const requests: StandinRequest[] = [];
  const unexpected: string[] = [];
  const limits: { prefix: string; count: number; retryAfter?: string }[] = [];
  const basic = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;

  const put = (body: string, mediaType: string) => {
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    blobs.set(digest, { body, mediaType });
    return digest;
  };
  const tagsOf = (repo: string) => repos.get(repo) ?? repos.set(repo, new Map()).get(repo)!;
  const imageManifest = (seed: string) =>
    put(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: `sha256:${createHash("sha256").update(seed).digest("hex")}`,
          size: 2,
        },
        layers: [],
      }),
      MANIFEST,
    );

  const server = createServer((req, res) => handle(req, res));
  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://standin");
    const entry: StandinRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      authorized: req.headers.authorization === basic,
    };
    requests.push(entry);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
    };
    const error = (status: number, code: string, headers: Record<string, string> = {}) =>
      json(status, { errors: [{ code, message: code.toLowerCase() }] }, headers);
    if (req.headers.authorization !== basic) {
      if (req.headers.authorization !== undefined)
        unexpected.push(`${entry.method} ${entry.path}: a wrong login`);
      return error(401, "UNAUTHORIZED", { "WWW-Authenticate": 'Basic realm="standin"' });
    }
    const limit = limits.find((l) => l.count > 0 && url.pathname.startsWith(l.prefix));
    if (limit) {
      limit.count--;
      return error(429, "TOOMANYREQUESTS", limit.retryAfter ? { "Retry-After": limit.retryAfter } : {});
    }
    if (req.method === "GET" && url.pathname === "/v2/") return json(200, {});
    if (req.method === "GET" && url.pathname === "/v2/_catalog") {
      const all = [...repos.keys()].sort();
      const n = Math.min(Number(url.searchParams.get("n") ?? pageCap), pageCap);
      const last = url.searchParams.get("last");
      const page = all.filter((r) => last === null || r > last).slice(0, n);
      const more = page.length > 0 && all.indexOf(page.at(-1)!) < all.length - 1;
      const link: Record<string, string> = more
        ? { Link: `</v2/_catalog?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"` }
        : {};
      return json(200, { repositories: page }, link);
    }
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (tags && req.method === "GET") {
      const repo = tags[1]!;
      if (!repos.has(repo)) return error(404, "NAME_UNKNOWN");
      const all = [...tagsOf(repo).keys()].sort();
      const n = Math.min(Number(url.searchParams.get("n") ?? pageCap), pageCap);
      const last = url.searchParams.get("last");
      const page = all.filter((t) => last === null || t > last).slice(0, n);
      const more = page.length > 0 && all.indexOf(page.at(-1)!) < all.length - 1;
      // As Distribution does: the next page's URL, relative, with n and last.
      const link: Record<string, string> = more
        ? { Link: `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"` }
        : {};
      return json(200, { name: repo, tags: page }, link);
    }
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest && (req.method === "HEAD" || req.method === "GET")) {
      const accept = (req.headers.accept ?? "").split(",").map((s) => s.trim());
      if (!ACCEPTED.every((t) => accept.includes(t)))
        unexpected.push(`${entry.method} ${entry.path}: Accept ${req.headers.accept}`);
      const [, repo = "", reference = ""] = manifest;
      const digest = reference.startsWith("sha256:")
        ? reference
        : repos.get(repo)?.get(decodeURIComponent(reference));
      const stored = digest ? blobs.get(digest) : undefined;
      if (!digest || !stored) return error(404, "MANIFEST_UNKNOWN");
      res.writeHead(200, {
        "Content-Type": stored.mediaType,
        "Docker-Content-Digest": digest,
        "Content-Length": Buffer.byteLength(stored.body),
      });
      res.end(req.method === "HEAD" ? undefined : stored.body);
      return;
    }
    unexpected.push(`${entry.method} ${entry.path}`);
    error(404, "NOT_FOUND");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    unexpected,
    limit(prefix, count, retryAfter) {
      limits.push({ prefix, count, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    },
    image(repo, tag, seed) {
      const digest = imageManifest(seed);
      tagsOf(repo).set(tag, digest);
      return digest;
    },
    list(repo, tag, platforms) {
      const digests: Record<string, string> = {};
      const manifests = Object.entries(platforms).map(([platform, seed]) => {
        const [os, architecture, variant] = platform.split("/");
        const digest = (digests[platform] = imageManifest(seed));
        return {
          mediaType: MANIFEST,
          digest,
          size: 100,
          platform: { os, architecture, ...(variant ? { variant } : {}) },
        };
      });
      const list = put(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }), INDEX);
      tagsOf(repo).set(tag, list);
      return { list, platforms: digests };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
