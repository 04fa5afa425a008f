import { queryTokenMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { synthesizeDockerHubPush } from "./synthesize.js";
import { parseDockerHubPayload } from "./payload.js";

/**
 * Docker Hub cannot sign requests or add headers, so the project's token travels in the webhook URL:
 * `?access_token=` (Brigade's Docker Hub gateway) or `?secret=` (argocd-image-updater). When both are
 * present, access_token is the one checked.
 */
export const TOKEN_QUERY_PARAMETERS = ["access_token", "secret"] as const;

export const dockerHub: RegistryGateway = {
  kind: "dockerhub",
  title: "Docker Hub",
  contentTypes: ["application/json"],
  // Docker Hub does not document its Content-Type; a request without one is read as JSON.
  contentTypeOptional: true,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => queryTokenMatches(request.query, TOKEN_QUERY_PARAMETERS, secret),
  },
  credentialHint: "the access_token query parameter of the webhook URL (?access_token=<token>)",
  parse: (request) => parseDockerHubPayload(request.body),
  synthesize: synthesizeDockerHubPush,
};
