import { queryTokenMatches } from "../common/secrets.js";
import { TOKEN_QUERY_PARAMETERS } from "../dockerhub/gateway.js";
import type { RegistryGateway } from "../registry.js";
import { parseQuayPayload, QUAY_TITLE } from "./payload.js";
import { synthesizeQuayPush } from "./synthesize.js";

/**
 * Quay neither signs notifications nor sends configurable headers, so the token travels in the
 * webhook URL, with the same parameters as Docker Hub: `?access_token=` or `?secret=`.
 */
export const quay: RegistryGateway = {
  kind: "quay",
  title: QUAY_TITLE,
  // Quay posts with requests' `Content-type: application/json`.
  contentTypes: ["application/json"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => queryTokenMatches(request.query, TOKEN_QUERY_PARAMETERS, secret),
  },
  credentialHint: "the access_token query parameter of the notification URL (?access_token=<token>)",
  parse: (request) => parseQuayPayload(request.body),
  synthesize: synthesizeQuayPush,
};
