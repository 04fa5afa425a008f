/**
 * JFrog's payload does not name the Docker registry host: the host depends on how the platform exposes
 * Docker (repository path, subdomain or port). In order of preference: `?registry=<host>` on the
 * webhook URL, the host of `jpd_origin` (the platform URL, the host of the repository-path method),
 * else a placeholder that never resolves.
 */
import type { Result } from "@bosun/core";
import type { Json } from "../common/json.js";
import { problem } from "../common/json.js";
import { hostProblem } from "../common/reference.js";

export const REGISTRY_QUERY_PARAMETER = "registry";
/** `.invalid` never resolves (RFC 2606). */
export const JFROG_PLACEHOLDER_HOST = "artifactory.invalid";

/** `?registry=<host>` on the webhook URL, at most once and a valid host. */
export function configuredHost(query: URLSearchParams): Result<string | undefined> {
  const values = query.getAll(REGISTRY_QUERY_PARAMETER);
  if (values.length === 0) return { value: undefined };
  const [value] = values;
  const path = `?${REGISTRY_QUERY_PARAMETER}`;
  if (values.length > 1 || value === undefined || value === "") {
    const message = "The registry query parameter of the webhook URL must name one registry host.";
    const found = values.length > 1 ? `${values.length} values` : "an empty value";
    return {
      errors: [
        problem("PAYLOAD_MALFORMED", message, {
          path,
          expected: "one host, e.g. ?registry=example.jfrog.io",
          found,
        }),
      ],
    };
  }
  const bad = hostProblem(value, path);
  return bad ? { errors: [bad] } : { value };
}

/** "https://example.jfrog.io/" → "example.jfrog.io"; anything unusable → undefined (it is metadata). */
export function originHost(origin: Json | undefined): string | undefined {
  if (typeof origin !== "string" || !URL.canParse(origin)) return undefined;
  const { protocol, host } = new URL(origin);
  if ((protocol !== "https:" && protocol !== "http:") || host === "") return undefined;
  return hostProblem(host, "jpd_origin") ? undefined : host;
}
