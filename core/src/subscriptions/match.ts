/** Project opt-in: which pushes reach a project. */
import semver from "semver";
import type { RegistryKind } from "../events.js";
import type { Subscription } from "../config/types.js";
import { matchesGlobList } from "./tag-globs.js";

/** The longest tag an OCI registry takes. */
export const MAX_TAG = 128;

export interface PushToMatch {
  registry: RegistryKind;
  repository: string;
  /** Absent for a push by digest. */
  tag?: string;
  /** A watched registry's name (source "poll"), for subscriptions' `accounts`. */
  account?: string;
}

/**
 * True when the subscription names the push's registry kind and every criterion it sets accepts the
 * push: repository globs, tag globs, the tag pattern and the semver range. A push without a tag passes
 * tag criteria only when there are none, or only negative globs.
 */
export function subscriptionAccepts(subscription: CompiledSubscription, push: PushToMatch): boolean {
  if (subscription.registry !== push.registry) return false;
  const accounts = subscription.accounts ?? [];
  if (accounts.length > 0 && (push.account === undefined || !accounts.includes(push.account))) return false;
  if (!matchesGlobList(push.repository, subscription.repositories)) return false;
  const tag = push.tag ?? "";
  if (subscription.tags.length > 0) {
    const positive = subscription.tags.some((t) => !t.startsWith("!"));
    if (tag === "" ? positive : !matchesGlobList(tag, subscription.tags)) return false;
  }
  // No registry takes a longer tag; the cap also bounds the pattern's retries (it is checked to be linear).
  if (subscription.tagPattern && (tag.length > MAX_TAG || !subscription.tagPattern.test(tag))) return false;
  if (subscription.semver) {
    // "v1.2.3" and "1.2.3" are versions; "latest" and "1.2" are not. Pre-releases only when the range
    // names one, as semver ranges (and Flux) have it.
    const version = semver.valid(semver.clean(tag));
    if (!version || !semver.satisfies(version, subscription.semver)) return false;
  }
  return true;
}

/** A subscription with its tag pattern compiled once. */
export interface CompiledSubscription extends Omit<Subscription, "tagPattern"> {
  tagPattern?: RegExp;
}

export function compileSubscription(subscription: Subscription): CompiledSubscription {
  const { tagPattern, ...rest } = subscription;
  return tagPattern === undefined ? rest : { ...rest, tagPattern: new RegExp(tagPattern) };
}

/** True when any of the project's subscriptions accepts the push. */
export function projectAccepts(subscriptions: readonly CompiledSubscription[], push: PushToMatch): boolean {
  return subscriptions.some((s) => subscriptionAccepts(s, push));
}
