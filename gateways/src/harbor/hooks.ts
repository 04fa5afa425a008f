/**
 * Harbor webhook policies (API v2.0, `/api/v2.0/projects/{project}/webhook/policies`): one policy per
 * project, so a repository's webhook is its project's. The policy's HTTP target carries the token as
 * its Auth Header, which Harbor sends as `Authorization` and the harbor gateway checks
 * (`Bearer <token>`). Logins: a user or robot account with the project's webhook permissions, as Basic.
 */
import type { EventType } from "@bosun/core";
import { ApiClient, apiUrl, withoutTrailingSlashes } from "../hooks/api.js";
import {
  lookingAgainOnConflict,
  type EnsureResult,
  type WebhookManager,
  type WebhookSpec,
  type WebhookTarget,
} from "../hooks/manager.js";
import { flagOf, idOf, objectsOf, textOf, textsOf, type Fields } from "../hooks/read.js";
import {
  hookName,
  sameEndpoint,
  sameSet,
  checkedSpec,
  checkedTarget,
  REPOSITORY_PATTERNS,
  type SpecRules,
} from "../hooks/spec.js";

export interface HarborWebhookOptions {
  /** Harbor's address, e.g. `https://harbor.example.com`. */
  url: string;
  /** A user, or a robot account (`robot$bosun`). */
  username: string;
  password: string;
}

const TITLE = "Harbor";
const EVENTS: readonly EventType[] = ["image_push", "image_delete"];
const RULES: SpecRules = { title: TITLE, events: EVENTS, repository: REPOSITORY_PATTERNS.project };
const EVENT_TYPES: Readonly<Record<EventType, string>> = {
  image_push: "PUSH_ARTIFACT",
  image_delete: "DELETE_ARTIFACT",
};
const PAGE_SIZE = 100;
const MAX_PAGES = 50;

export function harborWebhooks(options: HarborWebhookOptions): WebhookManager {
  const basic = Buffer.from(`${options.username}:${options.password}`).toString("base64");
  const headers = {
    authorization: `Basic ${basic}`,
    // The path names the project by name even when the name is all digits.
    "x-is-resource-name": "true",
  };
  const base = (project: string) =>
    `${withoutTrailingSlashes(options.url)}/api/v2.0/projects/${encodeURIComponent(project)}/webhook/policies`;
  const clientFor = (secret?: string) =>
    new ApiClient({
      title: TITLE,
      secrets: [options.password, basic, ...(secret === undefined ? [] : [secret])],
    });

  async function find(client: ApiClient, project: string, url: string): Promise<Fields | undefined> {
    const doing = `listing the webhook policies of project ${project}`;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await client.call({
        method: "GET",
        url: apiUrl(base(project), "", { page: String(page), page_size: String(PAGE_SIZE) }),
        headers,
        doing,
      });
      if (!Array.isArray(answer.json)) throw client.unexpected("a policy list that is not an array", doing);
      const policies = objectsOf(answer.json);
      const found = policies.find((p) =>
        objectsOf(p["targets"]).some((t) => sameEndpoint(textOf(t, "address") ?? "", url)),
      );
      if (found !== undefined || policies.length < PAGE_SIZE) return found;
    }
    return undefined;
  }

  return lookingAgainOnConflict({
    title: TITLE,
    events: EVENTS,
    secretVisible: true,
    async ensure(spec: WebhookSpec): Promise<EnsureResult> {
      const events = checkedSpec(RULES, spec).map((e) => EVENT_TYPES[e]);
      const project = projectOf(spec.repository);
      const client = clientFor(spec.secret);
      const existing = await find(client, project, spec.url);
      const policy = {
        name: existing === undefined ? hookName(spec) : (textOf(existing, "name") ?? hookName(spec)),
        description: `Bosun: ${spec.url}`,
        enabled: true,
        event_types: events,
        targets: [
          {
            type: "http",
            address: spec.url,
            auth_header: `Bearer ${spec.secret}`,
            skip_cert_verify: false,
            payload_format: "Default",
          },
        ],
      };
      if (existing === undefined) {
        const doing = `creating a webhook policy in project ${project}`;
        const answer = await client.call({
          method: "POST",
          url: base(project),
          headers,
          body: policy,
          doing,
        });
        const id =
          answer.headers.get("location")?.split("/").at(-1) ??
          idOf(await find(client, project, spec.url), "id");
        if (id === undefined || id === "") throw client.unexpected("no Location for the new policy", doing);
        return { state: "created", id };
      }
      const id = idOf(existing, "id");
      if (id === undefined)
        throw client.unexpected("a policy without an id", `reading project ${project}'s policies`);
      if (!spec.rotate && matches(existing, policy.targets[0]?.auth_header ?? "", spec.url, events)) {
        return { state: "unchanged", id };
      }
      await client.call({
        method: "PUT",
        url: `${base(project)}/${encodeURIComponent(id)}`,
        headers,
        body: { ...policy, id: Number(id) },
        doing: `updating webhook policy ${id} of project ${project}`,
      });
      return { state: "updated", id };
    },
    async remove(target: WebhookTarget): Promise<boolean> {
      checkedTarget(RULES, target);
      const project = projectOf(target.repository);
      const client = clientFor();
      const existing = await find(client, project, target.url);
      const id = idOf(existing, "id");
      if (id === undefined) return false;
      await client.call({
        method: "DELETE",
        url: `${base(project)}/${encodeURIComponent(id)}`,
        headers,
        doing: `removing webhook policy ${id} of project ${project}`,
      });
      return true;
    },
  });
}

/** Harbor's project: the repository's first segment (`library/app` → `library`). */
function projectOf(repository: string): string {
  return repository.split("/")[0] ?? repository;
}

function matches(policy: Fields, authHeader: string, url: string, events: readonly string[]): boolean {
  const targets = objectsOf(policy["targets"]);
  const target = targets[0];
  return (
    flagOf(policy, "enabled") === true &&
    sameSet(textsOf(policy, "event_types"), events) &&
    targets.length === 1 &&
    textOf(target, "type") === "http" &&
    textOf(target, "address") === url &&
    textOf(target, "auth_header") === authHeader &&
    flagOf(target, "skip_cert_verify") !== true &&
    (textOf(target, "payload_format") ?? "Default") === "Default"
  );
}
