/**
 * Credential checks shared by the registries. Every comparison runs in constant time: both sides are
 * hashed to SHA-256 first, so timingSafeEqual always sees equal lengths and the length of the secret
 * does not leak either. (A plain hash, not an HMAC: an HMAC needs a key object per call, which cost a
 * sixth of the gateway's time per request, and adds nothing to an equality test.)
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { RequestHeaders } from "../registry.js";
import { singleHeader } from "./headers.js";

function digest(value: string | Buffer): Buffer {
  return createHash("sha256").update(value).digest();
}

/** True when `given` equals `expected`; an empty expected secret never matches. */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const same = timingSafeEqual(digest(given), digest(expected));
  return same && expected.length > 0;
}

/**
 * An Authorization header checked against a token sent as `Bearer <token>` or verbatim (Distribution
 * and GitLab send the configured value as is; ACR and Harbor users write either form).
 */
export function authorizationMatches(headers: RequestHeaders, secret: string): boolean {
  const header = singleHeader(headers, "authorization");
  if (header === undefined) return false;
  const bearer = /^bearer\s+(.+)$/i.exec(header)?.[1] ?? "";
  // Both comparisons always run, so the form used does not change the timing.
  const verbatim = secretsEqual(header, secret);
  const asBearer = secretsEqual(bearer, secret);
  return verbatim || asBearer;
}

/** A token in the query: the first of `names` that is present must appear exactly once and match. */
export function queryTokenMatches(query: URLSearchParams, names: readonly string[], secret: string): boolean {
  const name = names.find((n) => query.has(n));
  const values = name === undefined ? [] : query.getAll(name);
  const given = values.length === 1 ? (values[0] ?? "") : "";
  return secretsEqual(given, secret) && values.length === 1;
}

export type HmacAlgorithm = "sha1" | "sha256" | "sha512";

/**
 * A hex HMAC of the raw body, optionally prefixed (GitHub: "sha256=<hex>"; JFrog: bare hex or "sha1=").
 * The prefix must match exactly; hex case is ignored.
 */
export function bodySignatureMatches(
  body: Buffer,
  secret: string,
  signature: string | undefined,
  options: { algorithm: HmacAlgorithm; prefix?: string },
): boolean {
  const prefix = options.prefix ?? "";
  if (signature === undefined || !signature.startsWith(prefix) || secret.length === 0) return false;
  const expected = createHmac(options.algorithm, secret).update(body).digest("hex");
  return secretsEqual(signature.slice(prefix.length).toLowerCase(), expected);
}
