import { singleHeader } from "../common/headers.js";
import { bodySignatureMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { FORM_CONTENT_TYPE, GHCR_TITLE, parseGhcrDelivery } from "./payload.js";
import { synthesizeGhcrPush } from "./synthesize.js";

/**
 * GitHub signs every delivery with the webhook secret (the project's token): X-Hub-Signature-256 is
 * `sha256=` and the hex HMAC-SHA256 of the raw body, so the body is read before it is checked. The
 * legacy SHA-1 X-Hub-Signature is not accepted.
 */
export const ghcr: RegistryGateway = {
  kind: "ghcr",
  title: GHCR_TITLE,
  contentTypes: ["application/json", FORM_CONTENT_TYPE],
  contentTypeOptional: false,
  authenticator: {
    reads: "body",
    authenticate: (request, secret) =>
      bodySignatureMatches(request.body, secret, singleHeader(request.headers, "x-hub-signature-256"), {
        algorithm: "sha256",
        prefix: "sha256=",
      }),
  },
  credentialHint: "the webhook's secret, which GitHub uses to sign X-Hub-Signature-256",
  parse: parseGhcrDelivery,
  synthesize: synthesizeGhcrPush,
};
