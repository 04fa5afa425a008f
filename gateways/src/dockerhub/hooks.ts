/**
 * Docker Hub repository webhooks, which Hub's API keeps as webhook pipelines
 * (`/v2/repositories/{namespace}/{repository}/webhook_pipeline/`), each holding one webhook
 * (`hook_url`). Hub cannot sign or add headers, so the token is in the URL (`?access_token=`), as the
 * dockerhub gateway reads it. Hub has no update: a changed pipeline is removed, then created anew.
 * Login: a user (or organisation owner) with admin rights on the repository, by password or personal
 * access token, exchanged at `/v2/users/login` for a JWT sent as Bearer; or such a JWT directly.
 */
import type { EventType } from "@bosun/core";
import { TOKEN_QUERY_PARAMETERS } from "./gateway.js";
import {
  ApiClient,
  apiUrl,
  encodedPath,
  type ApiAnswer,
  type ApiCall,
  withoutTrailingSlashes,
} from "../hooks/api.js";
import { WebhookError } from "../hooks/errors.js";
import {
  lookingAgainOnConflict,
  type EnsureResult,
  type WebhookManager,
  type WebhookSpec,
  type WebhookTarget,
} from "../hooks/manager.js";
import { flagOf, isFields, objectsOf, textOf, type Fields } from "../hooks/read.js";
import {
  hookName,
  sameEndpoint,
  checkedSpec,
  checkedTarget,
  REPOSITORY_PATTERNS,
  withQueryToken,
  type SpecRules,
} from "../hooks/spec.js";

export type DockerHubWebhookOptions = {
  /** Hub's API address; `https://hub.docker.com` by default. */
  url?: string;
} & ({ username: string; password: string } | { token: string });

const TITLE = "Docker Hub";
const EVENTS: readonly EventType[] = ["image_push"];
const RULES: SpecRules = { title: TITLE, events: EVENTS, repository: REPOSITORY_PATTERNS.namespaced };
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

export function dockerHubWebhooks(options: DockerHubWebhookOptions): WebhookManager {
  const root = withoutTrailingSlashes(options.url ?? "https://hub.docker.com");
  const loginSecrets = "token" in options ? [options.token] : [options.password];
  let jwt: string | undefined = "token" in options ? options.token : undefined;
  const base = (repository: string) => `${root}/v2/repositories/${encodedPath(repository)}/webhook_pipeline/`;
  const clientFor = (secret?: string) =>
    new ApiClient({
      title: TITLE,
      secrets: [
        ...loginSecrets,
        ...(jwt === undefined ? [] : [jwt]),
        ...(secret === undefined ? [] : [secret]),
      ],
    });

  async function headers(): Promise<Record<string, string>> {
    if (jwt === undefined && "username" in options) {
      const doing = `logging in as ${options.username}`;
      const client = clientFor();
      const answer = await client.call({
        method: "POST",
        url: `${root}/v2/users/login`,
        headers: {},
        body: { username: options.username, password: options.password },
        doing,
      });
      const token = textOf(answer.json, "token");
      if (token === undefined || token === "")
        throw client.unexpected("a login answer without a token", doing);
      jwt = token;
    }
    return { authorization: `Bearer ${jwt ?? ""}` };
  }

  /** A call with the JWT; one refused because the JWT expired is made again after a new login. */
  async function authorized(client: ApiClient, call: Omit<ApiCall, "headers">): Promise<ApiAnswer> {
    try {
      return await client.call({ ...call, headers: await headers() });
    } catch (error) {
      if (!(
        error instanceof WebhookError &&
        error.code === "WEBHOOK_UNAUTHORIZED" &&
        "username" in options
      )) {
        throw error;
      }
      jwt = undefined;
      return client.call({ ...call, headers: await headers() });
    }
  }

  async function find(client: ApiClient, repository: string, url: string): Promise<Fields[]> {
    const doing = `listing the webhooks of ${repository}`;
    const found: Fields[] = [];
    let next: string | undefined = apiUrl(base(repository), "", { page_size: String(PAGE_SIZE) });
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
      const answer = await authorized(client, { method: "GET", url: next, doing });
      const results = isFields(answer.json) ? answer.json["results"] : undefined;
      if (!Array.isArray(results)) throw client.unexpected("a body without a results list", doing);
      found.push(
        ...objectsOf(results).filter((p) =>
          objectsOf(p["webhooks"]).some((w) =>
            sameEndpoint(textOf(w, "hook_url") ?? "", url, TOKEN_QUERY_PARAMETERS),
          ),
        ),
      );
      // Hub's `next` is an absolute URL on Hub; followed only when it stays there.
      const link = textOf(answer.json, "next");
      next = link !== undefined && link.startsWith(`${root}/`) ? link : undefined;
    }
    return found;
  }

  async function removeOne(client: ApiClient, repository: string, slug: string): Promise<void> {
    await authorized(client, {
      method: "DELETE",
      url: `${base(repository)}${encodeURIComponent(slug)}/`,
      doing: `removing webhook ${slug} of ${repository}`,
    });
  }

  return lookingAgainOnConflict({
    title: TITLE,
    events: EVENTS,
    secretVisible: true,
    async ensure(spec: WebhookSpec): Promise<EnsureResult> {
      checkedSpec(RULES, spec);
      const client = clientFor(spec.secret);
      const name = hookName(spec);
      const hookUrl = withQueryToken(spec.url, "access_token", spec.secret);
      const existing = await find(client, spec.repository, spec.url);
      const current = existing[0];
      const currentSlug = textOf(current, "slug");
      if (
        existing.length === 1 &&
        currentSlug !== undefined &&
        !spec.rotate &&
        matches(current, name, hookUrl)
      ) {
        return { state: "unchanged", id: currentSlug };
      }
      for (const old of existing) {
        const slug = textOf(old, "slug");
        if (slug !== undefined) await removeOne(client, spec.repository, slug);
      }
      const doing = `creating a webhook on ${spec.repository}`;
      const answer = await authorized(client, {
        method: "POST",
        url: base(spec.repository),
        body: {
          name,
          expect_final_callback: false,
          webhooks: [{ name, hook_url: hookUrl }],
          registry: "registry-1.docker.io",
        },
        doing,
      });
      const slug = textOf(answer.json, "slug");
      if (slug === undefined || slug === "") throw client.unexpected("a webhook without a slug", doing);
      return { state: existing.length === 0 ? "created" : "updated", id: slug };
    },
    async remove(target: WebhookTarget): Promise<boolean> {
      checkedTarget(RULES, target);
      const client = clientFor();
      const existing = await find(client, target.repository, target.url);
      for (const old of existing) {
        const slug = textOf(old, "slug");
        if (slug !== undefined) await removeOne(client, target.repository, slug);
      }
      return existing.length > 0;
    },
  });
}

function matches(pipeline: Fields | undefined, name: string, hookUrl: string): boolean {
  const webhooks = objectsOf(pipeline?.["webhooks"]);
  return (
    textOf(pipeline, "name") === name &&
    flagOf(pipeline, "expect_final_callback") !== true &&
    webhooks.length === 1 &&
    textOf(webhooks[0], "hook_url") === hookUrl
  );
}
