/** What every registry client does with a WebhookSpec before it speaks to the registry. */
import type { EventType } from "@bosun/core";
import { WebhookError } from "./errors.js";
import type { WebhookSpec } from "./manager.js";

/** The hook's name: the spec's, else `bosun-<project>` from the gateway URL's last path segment. */
export function hookName(spec: Pick<WebhookSpec, "name" | "url">): string {
  if (spec.name !== undefined && spec.name !== "") return spec.name;
  const segments = new URL(spec.url).pathname.split("/").filter((s) => s !== "");
  const project = segments.at(-1) ?? "project";
  return `bosun-${decodeURIComponent(project)}`;
}

/** The events asked for, in a fixed order, refused when this registry cannot send one of them. */
export function supportedEvents(
  title: string,
  asked: readonly EventType[],
  supported: readonly EventType[],
): EventType[] {
  const missing = asked.filter((e) => !supported.includes(e));
  if (missing.length > 0) {
    throw new WebhookError(
      "WEBHOOK_UNSUPPORTED",
      `${title} webhooks cannot report ${missing.join(", ")}; they report ${supported.join(", ")}`,
    );
  }
  if (asked.length === 0) {
    throw new WebhookError("WEBHOOK_UNSUPPORTED", `a ${title} webhook needs at least one event`);
  }
  return supported.filter((e) => asked.includes(e));
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
