import { authorizationMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { HARBOR_TITLE, parseHarborPayload } from "./payload.js";
import { synthesizeHarborPush } from "./synthesize.js";

/**
 * Harbor sends the policy's "Auth Header" string verbatim as `Authorization`: users write the token
 * itself or `Bearer <token>`, and both are accepted.
 */
export const harbor: RegistryGateway = {
  kind: "harbor",
  title: HARBOR_TITLE,
  // Default and 1.x payloads are application/json; the CloudEvents format is structured mode.
  contentTypes: ["application/json", "application/cloudevents+json"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => authorizationMatches(request.headers, secret),
  },
  credentialHint: "the webhook policy's Auth Header (the token itself, or Bearer <token>)",
  parse: (request) => parseHarborPayload(request.body),
  synthesize: synthesizeHarborPush,
};
