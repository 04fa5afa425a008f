// What other packages use; the package's own tests import the module files directly.
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
export { createGatewayHandler } from "./http/router.js";
export type {
  GatewayErrorContext,
  GatewayDependencies,
  IncomingDelivery,
  Redelivery,
} from "./http/delivery.js";
export { handleDelivery, redeliver } from "./http/delivery.js";
export { DEFAULT_DELIVERY_LOG, headersToKeep } from "./http/delivery-log.js";
export type { Answer } from "./http/answers.js";
export { errorAnswer } from "./http/answers.js";
export type { BodyRead } from "./http/body.js";
export { toNewEvents } from "./http/events.js";
export { credentialsOf } from "./common/authorization.js";
export { dockerHub } from "./dockerhub/gateway.js";
export { distribution } from "./distribution/gateway.js";
export { dockerHubCallback, type DockerHubCallback } from "./dockerhub/callback.js";
export type {
  WebhookManager,
  WebhookSpec,
  WebhookTarget,
  EnsureResult,
  EnsureState,
} from "./hooks/manager.js";
export { WebhookError, type WebhookErrorCode } from "./hooks/errors.js";
export { withoutTrailingSlashes } from "./hooks/api.js";
export { harborWebhooks, type HarborWebhookOptions } from "./harbor/hooks.js";
export { quayWebhooks, type QuayWebhookOptions } from "./quay/hooks.js";
export { dockerHubWebhooks, type DockerHubWebhookOptions } from "./dockerhub/hooks.js";
export { jfrogWebhooks, type JfrogWebhookOptions } from "./jfrog/hooks.js";
export { ghcrWebhooks, type GhcrWebhookOptions } from "./ghcr/hooks.js";
export {
  distributionNotificationsYaml,
  gitlabRegistryNotificationsRuby,
  type PastedWebhookSpec,
} from "./distribution/hooks.js";
export {
  MANAGED_WEBHOOK_KINDS,
  isManagedWebhookKind,
  webhookManagerFor,
  pastedWebhookConfig,
  type WebhookLogin,
  type ManagedWebhookKind,
} from "./hooks/managers.js";
