import { authorizationMatches } from "../common/secrets.js";
import type { RegistryGateway } from "../registry.js";
import { ACR_TITLE } from "./event.js";
import { parseAcrDelivery } from "./payload.js";
import { synthesizeAcrPush } from "./synthesize.js";

/**
 * ACR adds no credentials of its own: the webhook is given a custom `Authorization` header holding
 * the project's token, as `Bearer <token>` or verbatim. Event Grid subscriptions set the same header
 * as a secret delivery property.
 */
export const acr: RegistryGateway = {
  kind: "acr",
  title: ACR_TITLE,
  // ACR sends application/json unless a custom Content-Type header replaces it; so does Event Grid,
  // except with the CloudEvents schema: one event, or a batch when batching is on.
  contentTypes: ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => authorizationMatches(request.headers, secret),
  },
  credentialHint: "a custom Authorization header on the webhook (Bearer <token>, or the token itself)",
  answersWebhookHandshake: true,
  parse: (request) => parseAcrDelivery(request.body, request.query),
  synthesize: synthesizeAcrPush,
};
