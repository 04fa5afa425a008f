/**
 * Which webhook a project made through the API should have on its registry, from its config and its
 * webhook settings: the registry (one whose webhooks Bosun keeps through its API), the repository, the
 * URL registered and the API address; or why there is none (not applicable), with the configuration to
 * paste for a registry that has no webhook API.
 */
import type { ProjectConfig, RegistryKind } from "@bosun/core";
import {
  isManagedWebhookKind,
  pastedWebhookConfig,
  withoutTrailingSlashes,
  type ManagedWebhookKind,
} from "@bosun/gateways";
import type { WebhookSettings } from "./webhook-settings.js";

/** Where a webhook is: enough to find it again (by URL) and to log in to change or remove it. */
export interface HookTarget {
  kind: ManagedWebhookKind;
  /** The registry's API address. */
  api: string;
  repository: string;
  url: string;
  /** The docker login that manages it: its registry (the image-repository secret). */
  registry: string;
}

export type WebhookPlan =
  { applies: true; target: HookTarget } | { applies: false; reason: string; configuration?: string };

/** What a paste shows in place of the token: the API never shows a secret. */
export const TOKEN_PLACEHOLDER = "<the project's webhookToken>";

const GLOB = /[*?[\]{}!]/;

export function planWebhook(
  project: ProjectConfig,
  settings: WebhookSettings,
  publicUrl: string | undefined,
): WebhookPlan {
  const pushed = project.subscriptions.filter((s) => s.registry !== "poll");
  const managed = pushed.find((s) => isManagedWebhookKind(s.registry as RegistryKind));
  const urlFor = (kind: string) =>
    settings.webhookUrl ??
    (publicUrl === undefined
      ? undefined
      : `${withoutTrailingSlashes(publicUrl)}/events/${kind}/${encodeURIComponent(project.name)}`);
  if (!managed) {
    const first = pushed[0]?.registry;
    if (first === undefined)
      return { applies: false, reason: "the project subscribes to no registry that sends webhooks" };
    const url = urlFor(first) ?? `<server.publicUrl>/events/${first}/${project.name}`;
    const configuration = pastedWebhookConfig(first as RegistryKind, {
      url,
      secret: TOKEN_PLACEHOLDER,
      // Named here: the URL may be a placeholder, which the default name could not be read from.
      name: `bosun-${project.name}`,
    });
    return {
      applies: false,
      reason: `${first} has no webhook API Bosun uses: ${
        configuration === undefined
          ? "set the webhook up by hand (docs/gateways.md)"
          : "paste this into its configuration"
      }`,
      ...(configuration === undefined ? {} : { configuration }),
    };
  }
  const kind = managed.registry as ManagedWebhookKind;
  const registry = settings.imageRepositorySecret;
  if (registry === undefined)
    return {
      applies: false,
      reason:
        "the project has no image-repository secret (--image-repository-secret), so Bosun does not manage its webhook",
    };
  if (!project.webhookToken)
    return {
      applies: false,
      reason: "the project has no webhookToken (--webhook-token-file) for the registry to send",
    };
  const repository = managed.repositories.find((r) => !GLOB.test(r));
  if (repository === undefined)
    return {
      applies: false,
      reason: "the project names no image repository (--image-repository) without wildcards for the webhook",
    };
  const base = urlFor(kind);
  if (base === undefined)
    return {
      applies: false,
      reason: "no webhook URL: give --url, or set server.publicUrl in the server's config",
    };
  // The jfrog gateway tells the Docker host from ?registry= (gateways/src/jfrog/host.ts).
  const url = kind === "jfrog" && settings.webhookUrl === undefined ? `${base}?registry=${registry}` : base;
  return {
    applies: true,
    target: {
      kind,
      api: settings.imageRepositoryApi ?? defaultApi(kind, registry),
      repository,
      url,
      registry,
    },
  };
}

/** The API address of a registry, from the host its login is for. */
function defaultApi(kind: ManagedWebhookKind, registry: string): string {
  if (kind === "dockerhub" && registry === "docker.io") return "https://hub.docker.com";
  if (kind === "ghcr" && registry === "ghcr.io") return "https://api.github.com";
  return `https://${registry}`;
}

export function sameTarget(a: HookTarget, b: HookTarget): boolean {
  return a.kind === b.kind && a.api === b.api && a.repository === b.repository && a.url === b.url;
}
