/**
 * `X-JFrog-Event-Auth` carries the webhook's secret token, in one of three forms depending on the
 * webhook's "Use secret for payload signing" setting and on who documented it:
 * the token itself; hex(HMAC-SHA256(token, body)) with no prefix (Kargo); `sha1=` + hex(HMAC-SHA1)
 * (Telegraf). All three are checked, always, each in constant time.
 */
import { singleHeader } from "../common/headers.js";
import { bodySignatureMatches, secretsEqual } from "../common/secrets.js";
import type { RequestWithBody } from "../registry.js";

export const JFROG_AUTH_HEADER = "x-jfrog-event-auth";

export function jfrogEventAuthMatches(request: RequestWithBody, secret: string): boolean {
  const header = singleHeader(request.headers, JFROG_AUTH_HEADER);
  const plain = secretsEqual(header ?? "", secret);
  const hmacSha256 = bodySignatureMatches(request.body, secret, header, { algorithm: "sha256" });
  const hmacSha1 = bodySignatureMatches(request.body, secret, header, { algorithm: "sha1", prefix: "sha1=" });
  return plain || hmacSha256 || hmacSha1;
}
