import { queryTokenMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { GCR_TITLE, parseGcrEnvelope } from "./payload.js";
import { synthesizeGcrPush } from "./synthesize.js";

/**
 * Pub/Sub's own push authentication is a Google-signed OIDC token in Authorization; verifying it needs
 * Google's signing keys fetched over the network, which the gateway does not do (yet). Instead the push
 * endpoint URL carries the project's token, `?token=`, Google's documented way to secure a push
 * endpoint without OIDC.
 */
export const GCR_TOKEN_QUERY_PARAMETERS = ["token"] as const;

export const gcr: RegistryGateway = {
  kind: "gcr",
  title: GCR_TITLE,
  contentTypes: ["application/json"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => queryTokenMatches(request.query, GCR_TOKEN_QUERY_PARAMETERS, secret),
  },
  credentialHint: "the token query parameter of the push subscription's endpoint URL (?token=<token>)",
  parse: (request) => parseGcrEnvelope(request.body),
  synthesize: synthesizeGcrPush,
};
