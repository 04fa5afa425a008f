import { singleHeader } from "../common/headers.js";
import { authorizationMatches, secretsEqual } from "../common/secrets.js";
import type { RegistryGateway, RequestHeaders } from "../registry.js";
import { ECR_TITLE, parseEcrEvent } from "./payload.js";
import { synthesizeEcrPush } from "./synthesize.js";

export const ECR_SECRET_HEADER = "x-webhook-secret";

/**
 * ECR has no webhook of its own; an EventBridge API destination posts the event and its connection adds
 * the credentials. An API-key connection sends one header of the user's choosing: `X-Webhook-Secret:
 * <token>` (as argocd-image-updater expects), or `Authorization` with `Bearer <token>` or the token
 * itself. A token in the URL is not accepted: the endpoint URL is shown in the AWS console and in logs.
 */
export function ecrCredentialsMatch(headers: RequestHeaders, secret: string): boolean {
  const header = singleHeader(headers, ECR_SECRET_HEADER);
  // Both checks always run, so the header used does not change the timing.
  const viaSecretHeader = secretsEqual(header ?? "", secret);
  const viaAuthorization = authorizationMatches(headers, secret);
  return viaSecretHeader || viaAuthorization;
}

export const ecr: RegistryGateway = {
  kind: "ecr",
  title: ECR_TITLE,
  // API destinations send application/json; charset=utf-8.
  contentTypes: ["application/json"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => ecrCredentialsMatch(request.headers, secret),
  },
  credentialHint:
    "a header of the EventBridge connection: X-Webhook-Secret: <token>, or Authorization: Bearer <token>",
  parse: (request) => parseEcrEvent(request.body),
  synthesize: synthesizeEcrPush,
};
