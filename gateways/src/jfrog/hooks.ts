/**
 * Artifactory webhook subscriptions (`/event/api/v1/subscriptions`): a predefined webhook of the
 * `docker` domain for `pushed` (and `deleted`) on one Docker repository, whose handler's secret is the
 * token and signs the body (`use_secret_for_signing`), as the jfrog gateway checks X-JFrog-Event-Auth.
 * Artifactory never shows a secret back: a changed token is written when `rotate` asks for it.
 * Login: an access token of a user with the "Manage Webhooks" permission (or an admin), as Bearer.
 */
import type { EventType } from "@bosun/core";
import { ApiClient, withoutTrailingSlashes } from "../hooks/api.js";
import {
  lookingAgainOnConflict,
  type EnsureResult,
  type WebhookManager,
  type WebhookSpec,
  type WebhookTarget,
} from "../hooks/manager.js";
import { fieldsOf, flagOf, idOf, objectsOf, textOf, textsOf, type Fields } from "../hooks/read.js";
import {
  hookName,
  sameEndpoint,
  sameSet,
  checkedSpec,
  checkedTarget,
  REPOSITORY_PATTERNS,
  type SpecRules,
} from "../hooks/spec.js";

export interface JfrogWebhookOptions {
  /** The JFrog Platform's address, e.g. `https://acme.jfrog.io`. */
  url: string;
  /** An access token (or identity token) allowed to manage webhooks. */
  token: string;
}

const TITLE = "JFrog Artifactory";
const EVENTS: readonly EventType[] = ["image_push", "image_delete"];
const RULES: SpecRules = { title: TITLE, events: EVENTS, repository: REPOSITORY_PATTERNS.single };
const EVENT_TYPES: Readonly<Record<EventType, string>> = { image_push: "pushed", image_delete: "deleted" };

export function jfrogWebhooks(options: JfrogWebhookOptions): WebhookManager {
  const headers = { authorization: `Bearer ${options.token}` };
  const base = `${withoutTrailingSlashes(options.url)}/event/api/v1/subscriptions`;
  const clientFor = (secret?: string) =>
    new ApiClient({ title: TITLE, secrets: [options.token, ...(secret === undefined ? [] : [secret])] });

  async function find(client: ApiClient, url: string): Promise<Fields | undefined> {
    const doing = "listing the webhook subscriptions";
    const answer = await client.call({ method: "GET", url: base, headers, doing });
    if (!Array.isArray(answer.json))
      throw client.unexpected("a subscription list that is not an array", doing);
    return objectsOf(answer.json).find((s) =>
      objectsOf(s["handlers"]).some((h) => sameEndpoint(textOf(h, "url") ?? "", url)),
    );
  }

  return lookingAgainOnConflict({
    title: TITLE,
    events: EVENTS,
    secretVisible: false,
    async ensure(spec: WebhookSpec): Promise<EnsureResult> {
      const eventTypes = checkedSpec(RULES, spec).map((e) => EVENT_TYPES[e]);
      const client = clientFor(spec.secret);
      const existing = await find(client, spec.url);
      const key = idOf(existing, "key") ?? hookName(spec);
      const subscription = {
        key,
        description: `Bosun: ${spec.url}`,
        enabled: true,
        event_filter: {
          domain: "docker",
          event_types: eventTypes,
          criteria: {
            anyLocal: false,
            anyRemote: false,
            anyFederated: false,
            repoKeys: [spec.repository],
            includePatterns: [],
            excludePatterns: [],
          },
        },
        handlers: [
          {
            handler_type: "webhook",
            url: spec.url,
            secret: spec.secret,
            use_secret_for_signing: true,
            custom_http_headers: [],
          },
        ],
      };
      if (existing === undefined) {
        await client.call({
          method: "POST",
          url: base,
          headers,
          body: subscription,
          doing: `creating webhook ${key}`,
        });
        return { state: "created", id: key };
      }
      if (!spec.rotate && matches(existing, spec, eventTypes)) return { state: "unchanged", id: key };
      await client.call({
        method: "PUT",
        url: `${base}/${encodeURIComponent(key)}`,
        headers,
        body: subscription,
        doing: `updating webhook ${key}`,
      });
      return { state: "updated", id: key };
    },
    async remove(target: WebhookTarget): Promise<boolean> {
      checkedTarget(RULES, target);
      const client = clientFor();
      const key = idOf(await find(client, target.url), "key");
      if (key === undefined) return false;
      await client.call({
        method: "DELETE",
        url: `${base}/${encodeURIComponent(key)}`,
        headers,
        doing: `removing webhook ${key}`,
      });
      return true;
    },
  });
}

/** What Artifactory shows back (everything but the secret) is as Bosun would write it. */
function matches(subscription: Fields, spec: WebhookSpec, eventTypes: readonly string[]): boolean {
  const filter = fieldsOf(subscription, "event_filter");
  const criteria = fieldsOf(filter, "criteria");
  const handlers = objectsOf(subscription["handlers"]);
  const handler = handlers[0];
  return (
    flagOf(subscription, "enabled") === true &&
    textOf(filter, "domain") === "docker" &&
    sameSet(textsOf(filter, "event_types"), eventTypes) &&
    flagOf(criteria, "anyLocal") !== true &&
    flagOf(criteria, "anyRemote") !== true &&
    sameSet(textsOf(criteria, "repoKeys"), [spec.repository]) &&
    textsOf(criteria, "includePatterns").length === 0 &&
    textsOf(criteria, "excludePatterns").length === 0 &&
    handlers.length === 1 &&
    textOf(handler, "handler_type") === "webhook" &&
    textOf(handler, "url") === spec.url &&
    flagOf(handler, "use_secret_for_signing") === true
  );
}
