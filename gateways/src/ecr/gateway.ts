import { singleHeader } from "../common/headers.js";
import { authorizationMatches, basicPasswordMatches, secretsEqual } from "../common/secrets.js";
import type { RegistryGateway, RequestHeaders } from "../registry.js";
import { ECR_TITLE, parseEcrEvent } from "./payload.js";
import { synthesizeEcrPush } from "./synthesize.js";

export const ECR_SECRET_HEADER = "x-webhook-secret";

/**
 * ECR has no webhook of its own; an EventBridge API destination posts the event and its connection adds
 * the credentials. An API-key connection sends one header of the user's choosing: `X-Webhook-Secret:
 * <token>` (as argocd-image-updater expects), or `Authorization` with `Bearer <token>` or the token
 * itself. An SNS subscription can only send HTTP Basic credentials, from `https://user:<token>@host/...`
 * and only after a 401 challenge; the password is the token. A token in the query is not accepted: the
 * endpoint URL is shown in the AWS console and in logs (SNS hides the user information of its URLs).
 */
export function ecrCredentialsMatch(headers: RequestHeaders, secret: string): boolean {
  const header = singleHeader(headers, ECR_SECRET_HEADER);
  // Both checks always run, so the header used does not change the timing.
  const viaSecretHeader = secretsEqual(header ?? "", secret);
  const viaAuthorization = authorizationMatches(headers, secret);
  const viaBasic = basicPasswordMatches(headers, secret);
  return viaSecretHeader || viaAuthorization || viaBasic;
}

export const ecr: RegistryGateway = {
  kind: "ecr",
  title: ECR_TITLE,
  // API destinations send application/json; charset=utf-8, SNS text/plain; charset=UTF-8.
  contentTypes: ["application/json", "text/plain"],
  contentTypeOptional: false,
  authenticator: {
    reads: "head",
    authenticate: (request, secret) => ecrCredentialsMatch(request.headers, secret),
  },
  credentialHint:
    "a header of the EventBridge connection: X-Webhook-Secret: <token>, or Authorization: Bearer <token> " +
    "(SNS: https://sns:<token>@host/... in the subscription URL)",
  authenticationChallenge: 'Basic realm="bosun"',
  parse: (request) => parseEcrEvent(request.body),
  synthesize: synthesizeEcrPush,
};
