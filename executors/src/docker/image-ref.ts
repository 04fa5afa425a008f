/**
 * Just enough of the Docker reference grammar to know which registry an image comes from (for
 * credentials and plain-HTTP registries) and to name a tag when pulling: the engine pulls every tag
 * of a repository when asked for a name without one.
 */
export interface ParsedImageRef {
  /** "docker.io" when the reference names none; otherwise host[:port] as written. */
  registry: string;
  /** Repository path without registry, tag or digest, e.g. "team/app". */
  repository: string;
  tag?: string;
  digest?: string;
  /** The reference with a tag filled in ("latest") when it had neither tag nor digest. */
  pullRef: string;
}

export function parseImageRef(ref: string): ParsedImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  // The first component is a registry when it looks like a host: a dot, a port, or "localhost".
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  const repository = hasRegistry ? rest.slice(slash + 1) : rest;
  const pullRef = tag || digest ? ref : `${ref}:latest`;
  return { registry, repository, tag, digest, pullRef };
}
