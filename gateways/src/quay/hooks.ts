/**
 * Quay repository notifications (`/api/v1/repository/{namespace}/{repository}/notification/`): a
 * "Webhook POST" (`method: webhook`) for "Push to Repository" (`repo_push`). Quay cannot sign or add
 * headers, so the token is in the URL (`?access_token=`), as the quay gateway reads it. Quay has no
 * update: a changed notification is created anew, then the old one removed (a push in between is
 * delivered twice and stored once). Login: an OAuth application token with `repo:admin`, as Bearer.
 */
import type { EventType } from "@bosun/core";
import { TOKEN_QUERY_PARAMETERS } from "../dockerhub/gateway.js";
import { ApiClient, encodedPath, withoutTrailingSlashes } from "../hooks/api.js";
import {
  lookingAgainOnConflict,
  type EnsureResult,
  type WebhookManager,
  type WebhookSpec,
  type WebhookTarget,
} from "../hooks/manager.js";
import { fieldsOf, idOf, isFields, objectsOf, textOf, type Fields } from "../hooks/read.js";
import {
  hookName,
  sameEndpoint,
  checkedSpec,
  checkedTarget,
  REPOSITORY_PATTERNS,
  withQueryToken,
  type SpecRules,
} from "../hooks/spec.js";

export interface QuayWebhookOptions {
  /** Quay's address: `https://quay.io`, or a Red Hat Quay server. */
  url: string;
  /** An OAuth access token (an application's generated token) with the repo:admin scope. */
  token: string;
}

const TITLE = "Quay";
const EVENTS: readonly EventType[] = ["image_push"];
const RULES: SpecRules = { title: TITLE, events: EVENTS, repository: REPOSITORY_PATTERNS.namespaced };

export function quayWebhooks(options: QuayWebhookOptions): WebhookManager {
  const headers = { authorization: `Bearer ${options.token}` };
  const base = (repository: string) =>
    `${withoutTrailingSlashes(options.url)}/api/v1/repository/${encodedPath(repository)}/notification/`;
  const clientFor = (secret?: string) =>
    new ApiClient({ title: TITLE, secrets: [options.token, ...(secret === undefined ? [] : [secret])] });

  async function find(client: ApiClient, repository: string, url: string): Promise<Fields[]> {
    const doing = `listing the notifications of ${repository}`;
    const answer = await client.call({ method: "GET", url: base(repository), headers, doing });
    const notifications = isFields(answer.json) ? answer.json["notifications"] : undefined;
    if (!Array.isArray(notifications)) throw client.unexpected("a body without a notifications list", doing);
    return objectsOf(notifications).filter(
      (n) =>
        textOf(n, "method") === "webhook" &&
        sameEndpoint(textOf(fieldsOf(n, "config"), "url") ?? "", url, TOKEN_QUERY_PARAMETERS),
    );
  }

  async function removeOne(client: ApiClient, repository: string, uuid: string): Promise<void> {
    await client.call({
      method: "DELETE",
      url: `${base(repository)}${encodeURIComponent(uuid)}`,
      headers,
      doing: `removing notification ${uuid} of ${repository}`,
    });
  }

  return lookingAgainOnConflict({
    title: TITLE,
    events: EVENTS,
    secretVisible: true,
    async ensure(spec: WebhookSpec): Promise<EnsureResult> {
      checkedSpec(RULES, spec);
      const client = clientFor(spec.secret);
      const deliveryUrl = withQueryToken(spec.url, "access_token", spec.secret);
      const existing = await find(client, spec.repository, spec.url);
      const current = existing.find(
        (n) => textOf(n, "event") === "repo_push" && textOf(fieldsOf(n, "config"), "url") === deliveryUrl,
      );
      const currentId = idOf(current, "uuid");
      if (currentId !== undefined && existing.length === 1 && !spec.rotate) {
        return { state: "unchanged", id: currentId };
      }
      const doing = `creating a notification on ${spec.repository}`;
      const answer = await client.call({
        method: "POST",
        url: base(spec.repository),
        headers,
        body: {
          event: "repo_push",
          method: "webhook",
          config: { url: deliveryUrl },
          eventConfig: {},
          title: hookName(spec),
        },
        doing,
      });
      const id = idOf(answer.json, "uuid");
      if (id === undefined) throw client.unexpected("a notification without a uuid", doing);
      for (const old of existing) {
        const uuid = idOf(old, "uuid");
        if (uuid !== undefined) await removeOne(client, spec.repository, uuid);
      }
      return { state: existing.length === 0 ? "created" : "updated", id };
    },
    async remove(target: WebhookTarget): Promise<boolean> {
      checkedTarget(RULES, target);
      const client = clientFor();
      const existing = await find(client, target.repository, target.url);
      for (const old of existing) {
        const uuid = idOf(old, "uuid");
        if (uuid !== undefined) await removeOne(client, target.repository, uuid);
      }
      return existing.length > 0;
    },
  });
}
