/** What a login is for: a registry or git host as host[:port], written one way so lookups match. */
import type { CredentialKind } from "./types.js";

export const CREDENTIAL_KINDS: readonly CredentialKind[] = ["docker", "git"];

/** Docker Hub answers to several names; image references and `docker login` use them interchangeably. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const HOST_PORT = new RegExp(`^(?:\\[[0-9a-f:.]+\\]|${LABEL}(?:\\.${LABEL})*)(?::[0-9]{1,5})?$`);

export function isCredentialKind(value: unknown): value is CredentialKind {
  return CREDENTIAL_KINDS.includes(value as CredentialKind);
}

/**
 * The stored form of a registry or git host: lower case, without scheme or path ("https://Index.Docker.io/v1/"
 * is "docker.io"); undefined when it is not host[:port]. The worker normalises an image's registry the
 * same way before looking up its login.
 */
export function normaliseTarget(kind: CredentialKind, raw: string): string | undefined {
  const host = raw
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/\/.*$/, "");
  if (!HOST_PORT.test(host)) return undefined;
  return kind === "docker" && DOCKER_HUB.has(host) ? "docker.io" : host;
}
