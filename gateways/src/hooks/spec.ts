/** What every registry client does with a WebhookSpec before it speaks to the registry. */
import type { EventType } from "@bosun/core";
import { BosunError } from "@bosun/core";
import { WebhookError } from "./errors.js";
import type { WebhookSpec, WebhookTarget } from "./manager.js";

/** The hook's name: the spec's, else `bosun-<project>` from the gateway URL's last path segment. */
export function hookName(spec: Pick<WebhookSpec, "name" | "url">): string {
  if (spec.name !== undefined && spec.name !== "") return spec.name;
  const segments = new URL(spec.url).pathname.split("/").filter((s) => s !== "");
  const project = segments.at(-1) ?? "project";
  return `bosun-${decodeURIComponent(project)}`;
}

/** What a registry's client takes: the events it can deliver, the form of its repository names. */
export interface SpecRules {
  title: string;
  events: readonly EventType[];
  repository: { pattern: RegExp; expected: string };
}

// A segment of a repository path: letters, digits and `._-`, starting with a letter or digit. Each
// pattern is a literal, so the linear-time check of the sources reads it.
export const REPOSITORY_PATTERNS = {
  /** `namespace/repository` (Quay, Docker Hub). */
  namespaced: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/,
    expected: "namespace/repository",
  },
  /** `project` or `project/repository...` (Harbor). */
  project: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/,
    expected: "project or project/repository",
  },
  /** One name (an Artifactory repository key). */
  single: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, expected: "a repository key" },
  /** `owner/repository` or `organisation` (GitHub). */
  owner: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/,
    expected: "owner/repository or organisation",
  },
} as const;

/** A target that names no hook the registry could hold is refused before anything is sent. */
export function checkedTarget(rules: SpecRules, target: WebhookTarget): void {
  if (!rules.repository.pattern.test(target.repository)) {
    refuse(`${rules.title} repository`, "repository", rules.repository.expected, target.repository);
  }
  const url = URL.canParse(target.url) ? new URL(target.url) : undefined;
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    refuse("webhook URL", "url", "an http or https URL", target.url);
  }
}

/** The spec checked, and the events asked for in a fixed order; an event the registry cannot send is refused. */
export function checkedSpec(rules: SpecRules, spec: WebhookSpec): EventType[] {
  checkedTarget(rules, spec);
  if (spec.secret === "") refuse("webhook token", "secret", "the project's webhookToken");
  const missing = spec.events.filter((e) => !rules.events.includes(e));
  if (missing.length > 0) {
    throw new WebhookError(
      "WEBHOOK_UNSUPPORTED",
      `${rules.title} webhooks cannot report ${missing.join(", ")}; they report ${rules.events.join(", ")}`,
    );
  }
  if (spec.events.length === 0) {
    throw new WebhookError("WEBHOOK_UNSUPPORTED", `a ${rules.title} webhook needs at least one event`);
  }
  return rules.events.filter((e) => spec.events.includes(e));
}

function refuse(what: string, path: string, expected: string, found?: string): never {
  const problem = { code: "PAYLOAD_MALFORMED" as const, message: `invalid ${what}`, path, expected };
  throw new BosunError("PAYLOAD_MALFORMED", `invalid ${what}: expected ${expected}`, [
    found === undefined ? problem : { ...problem, found },
  ]);
}

/**
 * Whether a hook's delivery URL is the gateway endpoint `url`, leaving out the query parameters that
 * carry the token (Quay, Docker Hub): the endpoint identifies the hook whatever token it holds.
 */
export function sameEndpoint(hookUrl: string, url: string, tokenParameters: readonly string[] = []): boolean {
  const a = withoutParameters(hookUrl, tokenParameters);
  const b = withoutParameters(url, tokenParameters);
  return a !== undefined && a === b;
}

function withoutParameters(url: string, names: readonly string[]): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  for (const name of names) parsed.searchParams.delete(name);
  parsed.searchParams.sort();
  return parsed.toString();
}

/** `url` with the token in query parameter `name` (replacing any token already there). */
export function withQueryToken(url: string, name: string, secret: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, secret);
  return parsed.toString();
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
