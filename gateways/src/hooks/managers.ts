/**
 * Which registries' webhooks Bosun keeps through their API, and which it renders as configuration
 * to paste: what `bosun project add` asks for a project's registry. ACR, ECR and GCR have APIs too
 * (Azure Resource Manager, EventBridge, Pub/Sub) but are set up by hand for now (docs/gateways.md).
 */
import type { RegistryKind } from "@bosun/core";
import { distributionNotificationsYaml, type PastedWebhookSpec } from "../distribution/hooks.js";
import { dockerHubWebhooks, type DockerHubWebhookOptions } from "../dockerhub/hooks.js";
import { ghcrWebhooks, type GhcrWebhookOptions } from "../ghcr/hooks.js";
import { harborWebhooks, type HarborWebhookOptions } from "../harbor/hooks.js";
import { jfrogWebhooks, type JfrogWebhookOptions } from "../jfrog/hooks.js";
import { quayWebhooks, type QuayWebhookOptions } from "../quay/hooks.js";
import type { WebhookManager } from "./manager.js";

/** A registry's API address and login, by kind. */
export type WebhookLogin =
  | ({ kind: "harbor" } & HarborWebhookOptions)
  | ({ kind: "quay" } & QuayWebhookOptions)
  | ({ kind: "dockerhub" } & DockerHubWebhookOptions)
  | ({ kind: "jfrog" } & JfrogWebhookOptions)
  | ({ kind: "ghcr" } & GhcrWebhookOptions);

export type ManagedWebhookKind = WebhookLogin["kind"];

export const MANAGED_WEBHOOK_KINDS: readonly ManagedWebhookKind[] = [
  "harbor",
  "quay",
  "dockerhub",
  "jfrog",
  "ghcr",
];

export function isManagedWebhookKind(kind: RegistryKind): kind is ManagedWebhookKind {
  return (MANAGED_WEBHOOK_KINDS as readonly string[]).includes(kind);
}

export function webhookManagerFor(login: WebhookLogin): WebhookManager {
  switch (login.kind) {
    case "harbor":
      return harborWebhooks(login);
    case "quay":
      return quayWebhooks(login);
    case "dockerhub":
      return dockerHubWebhooks(login);
    case "jfrog":
      return jfrogWebhooks(login);
    case "ghcr":
      return ghcrWebhooks(login);
  }
}

/**
 * The configuration to paste for a registry without a webhook API (Distribution, and GitLab's
 * registry through `gitlabRegistryNotificationsRuby`); undefined for the others.
 */
export function pastedWebhookConfig(kind: RegistryKind, spec: PastedWebhookSpec): string | undefined {
  return kind === "distribution" ? distributionNotificationsYaml(spec) : undefined;
}
