import { authorizationMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { synthesizeDistributionPush } from "./synthesize.js";
import { ENVELOPE_CONTENT_TYPES } from "./media-types.js";
import { parseDistributionEnvelope } from "./payload.js";

/**
 * CNCF Distribution sends the headers configured on its notification endpoint; the project's token is
 * expected in Authorization, as `Bearer <token>` or verbatim (GitLab's registry sends it verbatim).
 */
export const distribution: RegistryGateway = {
  kind: "distribution",
  title: "Distribution",
  contentTypes: ENVELOPE_CONTENT_TYPES,
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => authorizationMatches(request.headers, secret),
  },
  credentialHint:
    "the Authorization header of the notification endpoint (Bearer <token>, or the token itself)",
  parse: (request) => parseDistributionEnvelope(request.body),
  synthesize: synthesizeDistributionPush,
};
