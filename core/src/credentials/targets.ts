/** What a login is for: a registry or git host as host[:port], written one way so lookups match. */
import type { CredentialKind } from "./types.js";

export const CREDENTIAL_KINDS: readonly CredentialKind[] = ["docker", "git"];

/** Docker Hub answers to several names; image references and `docker login` use them interchangeably. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

// A bracketed IPv6 address or dot-separated DNS labels, then an optional port; linear, as labels exclude ".".
const HOST_PORT =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::[0-9]{1,5})?$/;
/** A DNS name is at most 253 characters; with brackets and a port, a little more. */
const MAX_TARGET = 261;

export function isCredentialKind(value: unknown): value is CredentialKind {
  return CREDENTIAL_KINDS.includes(value as CredentialKind);
}

/**
 * The stored form of a registry or git host: lower case, without scheme or path ("https://Index.Docker.io/v1/"
 * is "docker.io"); undefined when it is not host[:port]. The worker normalises an image's registry the
 * same way before looking up its login.
 */
export function normaliseTarget(kind: CredentialKind, raw: string): string | undefined {
  const withoutScheme = raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const slash = withoutScheme.indexOf("/");
  const host = slash === -1 ? withoutScheme : withoutScheme.slice(0, slash);
  if (host.length > MAX_TARGET || !HOST_PORT.test(host)) return undefined;
  return kind === "docker" && DOCKER_HUB.has(host) ? "docker.io" : host;
}
