/**
 * A webhook Bosun keeps on a registry, pointing at the project's gateway endpoint and carrying the
 * project's webhook token the way that registry's gateway checks it. One implementation per registry
 * (`<kind>/hooks.ts`), each speaking the registry's published API.
 */
import { BosunError, type EventType } from "@bosun/core";

export interface WebhookSpec {
  /**
   * What the webhook watches, in the registry's terms: Harbor `project[/repository]` (policies are per
   * project), Quay and Docker Hub `namespace/repository`, JFrog the Artifactory repository key, GitHub
   * `owner/repository` (a repository hook) or `organisation` (an organisation hook).
   */
  repository: string;
  /**
   * The gateway endpoint, e.g. `https://bosun.example.com/events/harbor/webapp` (with `?registry=` for
   * JFrog). It identifies the webhook: an existing one with this URL is found instead of adding another.
   */
  url: string;
  /** The project's webhookToken, placed as the gateway expects it. Never logged or put in a message. */
  secret: string;
  events: readonly EventType[];
  /** The hook's name where the registry names hooks; by default `bosun-<project>` (the URL's last segment). */
  name?: string;
  /**
   * Rewrite the secret even when everything the registry shows matches: GitHub and JFrog never show a
   * hook's secret back, so a changed token is only written when asked.
   */
  rotate?: boolean;
}

export type EnsureState = "created" | "updated" | "unchanged";

export interface EnsureResult {
  state: EnsureState;
  /** The registry's id of the hook (a policy id, notification uuid, pipeline slug, subscription key, hook id). */
  id: string;
}

export interface WebhookTarget {
  repository: string;
  url: string;
}

export interface WebhookManager {
  /** For people: "Harbor". */
  readonly title: string;
  /** The events this registry can deliver; others are refused with WEBHOOK_UNSUPPORTED. */
  readonly events: readonly EventType[];
  /** Whether the registry shows a hook's secret back, so that a changed secret is noticed without `rotate`. */
  readonly secretVisible: boolean;
  /**
   * Makes the registry hold exactly one webhook for `url` with these settings: created when there is
   * none, updated when what it holds differs, left alone otherwise. Failures are WebhookErrors.
   */
  ensure(spec: WebhookSpec): Promise<EnsureResult>;
  /** Removes the webhook for `url`; false when there was none. */
  remove(target: WebhookTarget): Promise<boolean>;
}

/**
 * A manager whose `ensure` looks again once when creating answers WEBHOOK_CONFLICT: another ensure
 * (a second server, a retried request) created the hook between this one's look and its create, and
 * the hook it finds now is compared and updated as any other. A conflict that remains (a hook of the
 * same name at another URL) is the caller's to resolve.
 */
export function lookingAgainOnConflict(manager: WebhookManager): WebhookManager {
  return {
    ...manager,
    async ensure(spec) {
      try {
        return await manager.ensure(spec);
      } catch (error) {
        if (!(error instanceof BosunError && error.code === "WEBHOOK_CONFLICT")) throw error;
        return manager.ensure(spec);
      }
    },
  };
}
