export type {
  RequestHeaders,
  RequestHead,
  RequestWithBody,
  Authenticator,
  ParsedPush,
  IgnoredItem,
  ParsedDelivery,
  RegistryGateway,
  SyntheticPush,
} from "./registry.js";
export { REGISTRIES, registryFor, createRegistries, type RegistryOptions } from "./registries.js";
export type { GatewayRouterOptions, GatewayHandler } from "./http/router.js";
export { createGatewayRouter, createGatewayHandler, DEFAULT_BODY_LIMIT_BYTES } from "./http/router.js";
export type { GatewayErrorContext, GatewayDependencies, IncomingDelivery } from "./http/delivery.js";
export { handleDelivery, DEFAULT_MAX_EVENTS_PER_REQUEST } from "./http/delivery.js";
export type { Answer, ErrorBody } from "./http/answers.js";
export { RETRY_AFTER_SECONDS, ABORTED_STATUS, errorAnswer, failureAnswer } from "./http/answers.js";
export { derivedDeliveryId, toNewEvents } from "./http/events.js";
export type { BodyRead } from "./http/body.js";
export { readBodyWithin, RequestAbortedError } from "./http/body.js";
export {
  secretsEqual,
  authorizationMatches,
  queryTokenMatches,
  bodySignatureMatches,
} from "./common/secrets.js";
export type { HmacAlgorithm } from "./common/secrets.js";
export { credentialsOf } from "./common/authorization.js";
export { dockerHub, TOKEN_QUERY_PARAMETERS } from "./dockerhub/gateway.js";
export { parseDockerHubPayload, DOCKER_HUB_REGISTRY } from "./dockerhub/payload.js";
export { distribution } from "./distribution/gateway.js";
export { parseDistributionEnvelope } from "./distribution/payload.js";
export { ENVELOPE_CONTENT_TYPES, MANIFEST_MEDIA_TYPES } from "./distribution/media-types.js";
export {
  dockerHubCallback,
  DOCKER_HUB_CALLBACK_HOSTS,
  type DockerHubCallback,
} from "./dockerhub/callback.js";
export { acr } from "./acr/gateway.js";
export { parseAcrDelivery, ACR_REGISTRY_PARAMETER } from "./acr/payload.js";
export { ACR_CHART_MEDIA_TYPE, ACR_PLACEHOLDER_HOST } from "./acr/event.js";
export { quay } from "./quay/gateway.js";
export { parseQuayPayload } from "./quay/payload.js";
export { harbor } from "./harbor/gateway.js";
export { parseHarborPayload } from "./harbor/payload.js";
export { ghcr } from "./ghcr/gateway.js";
export { parseGhcrDelivery } from "./ghcr/payload.js";
export { GHCR_HOST } from "./ghcr/container.js";
export { gcr, createGcrGateway, GCR_TOKEN_QUERY_PARAMETERS, type GcrGatewayOptions } from "./gcr/gateway.js";
export {
  createPushTokenVerifier,
  GOOGLE_JWKS_URL,
  GOOGLE_ISSUERS,
  type PushTokenVerifier,
  type PushTokenVerifierOptions,
  type PubSubPushAuth,
} from "./gcr/push-token.js";
export { KeysUnavailableError } from "./common/keys.js";
export { parseGcrEnvelope } from "./gcr/payload.js";
export { ecr, ECR_SECRET_HEADER } from "./ecr/gateway.js";
export { parseEcrEvent } from "./ecr/payload.js";
export { jfrog } from "./jfrog/gateway.js";
export { parseJfrogEvent } from "./jfrog/payload.js";
export { JFROG_AUTH_HEADER } from "./jfrog/authentication.js";
export { JFROG_PLACEHOLDER_HOST } from "./jfrog/host.js";
