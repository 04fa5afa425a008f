/**
 * GitHub Container Registry pushes reach Bosun as package events of a repository webhook
 * (`/repos/{owner}/{repository}/hooks`) or an organisation webhook (`/orgs/{organisation}/hooks`):
 * events `package` and `registry_package`, JSON, the token as the hook's secret, with which GitHub
 * signs X-Hub-Signature-256 as the ghcr gateway checks. GitHub never shows a secret back (only that
 * there is one): a changed token is written when `rotate` asks for it. Login: a token with
 * `admin:repo_hook` (repository) or `admin:org_hook` (organisation), or a fine-grained token or App
 * with the "Webhooks" repository (or organisation) permission, as Bearer.
 */
import type { EventType } from "@bosun/core";
import { ApiClient, apiUrl, withoutTrailingSlashes } from "../hooks/api.js";
import { WebhookError } from "../hooks/errors.js";
import {
  lookingAgainOnConflict,
  type EnsureResult,
  type WebhookManager,
  type WebhookSpec,
  type WebhookTarget,
} from "../hooks/manager.js";
import { fieldsOf, flagOf, idOf, objectsOf, textOf, textsOf, type Fields } from "../hooks/read.js";
import {
  sameEndpoint,
  sameSet,
  checkedSpec,
  checkedTarget,
  REPOSITORY_PATTERNS,
  type SpecRules,
} from "../hooks/spec.js";

export interface GhcrWebhookOptions {
  /** GitHub's REST API; `https://api.github.com` by default (GitHub Enterprise: `https://HOST/api/v3`). */
  url?: string;
  token: string;
}

const TITLE = "GitHub";
const EVENTS: readonly EventType[] = ["image_push"];
const RULES: SpecRules = { title: TITLE, events: EVENTS, repository: REPOSITORY_PATTERNS.owner };
const HOOK_EVENTS = ["package", "registry_package"];
const PER_PAGE = 100;
const MAX_PAGES = 20;

export function ghcrWebhooks(options: GhcrWebhookOptions): WebhookManager {
  const root = withoutTrailingSlashes(options.url ?? "https://api.github.com");
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    // GitHub refuses requests without a User-Agent.
    "user-agent": "bosun",
  };
  const clientFor = (secret?: string) =>
    new ApiClient({ title: TITLE, secrets: [options.token, ...(secret === undefined ? [] : [secret])] });

  async function find(client: ApiClient, repository: string, url: string): Promise<Fields | undefined> {
    const doing = `listing the webhooks of ${repository}`;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await client.call({
        method: "GET",
        url: apiUrl(hooksUrl(root, repository), "", { per_page: String(PER_PAGE), page: String(page) }),
        headers,
        doing,
      });
      if (!Array.isArray(answer.json)) throw client.unexpected("a hook list that is not an array", doing);
      const hooks = objectsOf(answer.json);
      const found = hooks.find((h) => sameEndpoint(textOf(fieldsOf(h, "config"), "url") ?? "", url));
      if (found !== undefined || hooks.length < PER_PAGE) return found;
    }
    return undefined;
  }

  return lookingAgainOnConflict({
    title: TITLE,
    events: EVENTS,
    secretVisible: false,
    async ensure(spec: WebhookSpec): Promise<EnsureResult> {
      checkedSpec(RULES, spec);
      const client = clientFor(spec.secret);
      const existing = await find(client, spec.repository, spec.url);
      const settings = {
        active: true,
        events: HOOK_EVENTS,
        config: { url: spec.url, content_type: "json", insecure_ssl: "0", secret: spec.secret },
      };
      if (existing === undefined) {
        const doing = `creating a webhook on ${spec.repository}`;
        const answer = await client
          .call({
            method: "POST",
            url: hooksUrl(root, spec.repository),
            headers,
            body: { name: "web", ...settings },
            doing,
          })
          .catch((error: unknown) => {
            throw conflictOf(error);
          });
        const id = idOf(answer.json, "id");
        if (id === undefined) throw client.unexpected("a hook without an id", doing);
        return { state: "created", id };
      }
      const id = idOf(existing, "id");
      if (id === undefined)
        throw client.unexpected("a hook without an id", `listing the webhooks of ${spec.repository}`);
      if (!spec.rotate && matches(existing, spec.url)) return { state: "unchanged", id };
      await client.call({
        method: "PATCH",
        url: `${hooksUrl(root, spec.repository)}/${encodeURIComponent(id)}`,
        headers,
        body: settings,
        doing: `updating webhook ${id} of ${spec.repository}`,
      });
      return { state: "updated", id };
    },
    async remove(target: WebhookTarget): Promise<boolean> {
      checkedTarget(RULES, target);
      const client = clientFor();
      const id = idOf(await find(client, target.repository, target.url), "id");
      if (id === undefined) return false;
      await client.call({
        method: "DELETE",
        url: `${hooksUrl(root, target.repository)}/${encodeURIComponent(id)}`,
        headers,
        doing: `removing webhook ${id} of ${target.repository}`,
      });
      return true;
    },
  });
}

/** `owner/repository` is a repository's hooks; a name without a slash is an organisation's. */
function hooksUrl(root: string, repository: string): string {
  const [owner = "", name] = repository.split("/");
  return name === undefined
    ? `${root}/orgs/${encodeURIComponent(owner)}/hooks`
    : `${root}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/hooks`;
}

function matches(hook: Fields, url: string): boolean {
  const config = fieldsOf(hook, "config");
  return (
    flagOf(hook, "active") === true &&
    sameSet(textsOf(hook, "events"), HOOK_EVENTS) &&
    textOf(config, "url") === url &&
    textOf(config, "content_type") === "json" &&
    textOf(config, "insecure_ssl") === "0" &&
    // GitHub shows a set secret as "********"; a hook without one is updated to have it.
    (textOf(config, "secret") ?? "") !== ""
  );
}

/** GitHub answers a second hook of the same URL 422 "Hook already exists": a conflict. */
function conflictOf(error: unknown): unknown {
  if (error instanceof WebhookError && error.status === 422 && /already exists/i.test(error.message)) {
    return new WebhookError("WEBHOOK_CONFLICT", error.message, { status: 422 });
  }
  return error;
}
