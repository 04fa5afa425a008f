/** Credential checks shared by the registries, all in constant time (core's secretsEqual). */
import { createHmac } from "node:crypto";
import { secretsEqual } from "@bosun/core";
import type { RequestHeaders } from "../registry.js";
import { singleHeader } from "./headers.js";

export { secretsEqual };

/**
 * An Authorization header checked against a token sent as `Bearer <token>` or verbatim (Distribution
 * and GitLab send the configured value as is; ACR and Harbor users write either form).
 */
export function authorizationMatches(headers: RequestHeaders, secret: string): boolean {
  const header = singleHeader(headers, "authorization");
  if (header === undefined) return false;
  const bearer = /^bearer\s+(\S.*)$/i.exec(header)?.[1] ?? "";
  // Both comparisons always run, so the form used does not change the timing.
  const verbatim = secretsEqual(header, secret);
  const asBearer = secretsEqual(bearer, secret);
  return verbatim || asBearer;
}

/** HTTP Basic credentials (`Authorization: Basic base64(user:password)`) whose password is the token. */
export function basicPasswordMatches(headers: RequestHeaders, secret: string): boolean {
  const header = singleHeader(headers, "authorization");
  const encoded = header === undefined ? undefined : /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  const decoded = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const password = colon === -1 ? "" : decoded.slice(colon + 1);
  return secretsEqual(password, secret) && colon !== -1;
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
