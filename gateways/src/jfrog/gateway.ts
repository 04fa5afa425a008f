import type { RegistryGateway } from "../registry.js";
import { jfrogEventAuthMatches } from "./authentication.js";
import { JFROG_TITLE, parseJfrogEvent } from "./payload.js";
import { synthesizeJfrogPush } from "./synthesize.js";

/**
 * The webhook's secret token is the project's token. It arrives in X-JFrog-Event-Auth as the token or
 * as a signature of the body, so the body is read (within the limit) before it is checked.
 */
export const jfrog: RegistryGateway = {
  kind: "jfrog",
  title: JFROG_TITLE,
  contentTypes: ["application/json"],
  contentTypeOptional: false,
  authenticator: { reads: "body", authenticate: jfrogEventAuthMatches },
  credentialHint:
    "the webhook's secret token, sent by Artifactory in X-JFrog-Event-Auth (as the token or as an HMAC of the body)",
  parse: (request) => parseJfrogEvent(request.body, request.query),
  synthesize: synthesizeJfrogPush,
};
