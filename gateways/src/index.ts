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
export { REGISTRIES, registryFor } from "./registries.js";
export type { GatewayRouterOptions, GatewayHandler } from "./http/router.js";
export { createGatewayRouter, createGatewayHandler, DEFAULT_BODY_LIMIT_BYTES } from "./http/router.js";
export type { GatewayErrorContext, GatewayDependencies, IncomingDelivery } from "./http/delivery.js";
export { handleDelivery } from "./http/delivery.js";
export type { Answer, ErrorBody } from "./http/answers.js";
export { RETRY_AFTER_SECONDS } from "./http/answers.js";
export { derivedDeliveryId, toNewEvents } from "./http/events.js";
export type { BodyRead } from "./http/body.js";
export { readBodyWithin } from "./http/body.js";
export {
  secretsEqual,
  authorizationMatches,
  queryTokenMatches,
  bodySignatureMatches,
} from "./common/secrets.js";
export type { HmacAlgorithm } from "./common/secrets.js";
export { dockerHub, TOKEN_QUERY_PARAMETERS } from "./dockerhub/gateway.js";
export { parseDockerHubPayload, DOCKER_HUB_REGISTRY } from "./dockerhub/payload.js";
export { distribution } from "./distribution/gateway.js";
export { parseDistributionEnvelope } from "./distribution/payload.js";
export { ENVELOPE_CONTENT_TYPES, MANIFEST_MEDIA_TYPES } from "./distribution/media-types.js";
export { dockerHubCallback, DOCKER_HUB_CALLBACK_HOSTS, type DockerHubCallback } from "./dockerhub/callback.js";
