import { queryTokenMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { GCR_TITLE, parseGcrEnvelope } from "./payload.js";
import type { PushTokenVerifierOptions } from "./push-token.js";
import { createPushTokenVerifier } from "./push-token.js";
import { synthesizeGcrPush } from "./synthesize.js";

/**
 * Two ways to prove a push comes from the project's subscription. A project with `pubsub` settings
 * takes only Pub/Sub's own push authentication: the Google-signed OIDC token in Authorization, for the
 * configured service account and audience (a `?token=` is then neither needed nor enough). Other
 * projects put their webhookToken in the push endpoint URL, `?token=`, Google's documented way to
 * secure a push endpoint without OIDC.
 */
export const GCR_TOKEN_QUERY_PARAMETERS = ["token"] as const;

export type GcrGatewayOptions = PushTokenVerifierOptions;

/** The gcr gateway, fetching the keys of Pub/Sub push tokens from `jwksUrl` (default Google's). */
export function createGcrGateway(options: GcrGatewayOptions = {}): RegistryGateway {
  const verifyPushToken = createPushTokenVerifier(options);
  return {
    kind: "gcr",
    title: GCR_TITLE,
    contentTypes: ["application/json"],
    contentTypeOptional: false,
    authenticator: {
      reads: "head",
      authenticate: (request, secret, project) =>
        project?.pubsub
          ? verifyPushToken(request.headers, project.pubsub)
          : queryTokenMatches(request.query, GCR_TOKEN_QUERY_PARAMETERS, secret),
      withoutWebhookToken: (project) => project.pubsub !== undefined,
    },
    credentialHint:
      "the token query parameter of the push subscription's endpoint URL (?token=<token>); a project with " +
      "pubsub settings takes the subscription's OIDC token instead (Authorization: Bearer <JWT>, issued " +
      "for its service account and audience)",
    parse: (request) => parseGcrEnvelope(request.body),
    synthesize: synthesizeGcrPush,
  };
}

export const gcr: RegistryGateway = createGcrGateway();
