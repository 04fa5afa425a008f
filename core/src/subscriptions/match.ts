/** Project opt-in: which pushes reach a project. */
import { hash } from "node:crypto";
import semver from "semver";
import type { RegistryKind } from "../events.js";
import type { Subscription } from "../config/types.js";
import { artifactTagKind } from "./artifact-tags.js";
import { matchesGlobList } from "./tag-globs.js";
import { type CompiledTagPolicy, MAX_TAG, compileTagPolicy, policyValue } from "./tag-policy.js";

export { MAX_TAG };

export interface PushToMatch {
  registry: RegistryKind;
  repository: string;
  /** Absent for a push by digest. */
  tag?: string;
  /** A watched registry's name (source "poll"), for subscriptions' `accounts`. */
  account?: string;
}

export type SubscriptionVerdict = { accepts: true } | { accepts: false; reason?: string };

/**
 * Whether the subscription names the push's registry kind and every criterion it sets accepts the
 * push: repository globs, tag globs, the tag pattern, the semver range, and its tag policy's filter
 * (whether the tag is the best one is the store's to say). A push without a tag passes tag criteria
 * only when there are none, or only negative globs, and never a tag policy. Signature, attestation
 * and SBOM tags pass only a subscription that asks for them. The reason, when there is one worth
 * more than "no subscription accepts it".
 */
export function subscriptionVerdict(
  subscription: CompiledSubscription,
  push: PushToMatch,
): SubscriptionVerdict {
  const no = { accepts: false } as const;
  if (subscription.registry !== push.registry) return no;
  const accounts = subscription.accounts ?? [];
  if (accounts.length > 0 && (push.account === undefined || !accounts.includes(push.account))) return no;
  if (!matchesGlobList(push.repository, subscription.repositories)) return no;
  const tag = push.tag ?? "";
  const artifact = artifactTagKind(push.tag);
  if (artifact !== undefined && subscription.signatureTags !== true)
    return {
      accepts: false,
      reason: `${tag} is a ${artifact} tag (a subscription takes those with signatureTags: true)`,
    };
  if (subscription.tags.length > 0) {
    const positive = subscription.tags.some((t) => !t.startsWith("!"));
    if (tag === "" ? positive : !matchesGlobList(tag, subscription.tags)) return no;
  }
  // No registry takes a longer tag; the cap also bounds the pattern's retries (it is checked to be linear).
  if (subscription.tagPattern && (tag.length > MAX_TAG || !subscription.tagPattern.test(tag))) return no;
  if (subscription.semver) {
    // "v1.2.3" and "1.2.3" are versions; "latest" and "1.2" are not. Pre-releases only when the range
    // names one, as semver ranges (and Flux) have it.
    const version = semver.valid(semver.clean(tag));
    if (!version || !semver.satisfies(version, subscription.semver)) return no;
  }
  if (subscription.policy) {
    if (tag === "") return no;
    const value = policyValue(subscription.policy, tag);
    if ("reason" in value) return { accepts: false, reason: value.reason };
  }
  return { accepts: true };
}

export function subscriptionAccepts(subscription: CompiledSubscription, push: PushToMatch): boolean {
  return subscriptionVerdict(subscription, push).accepts;
}

/** A subscription with its tag pattern and tag policy compiled once. */
export interface CompiledSubscription extends Omit<Subscription, "tagPattern" | "policy"> {
  tagPattern?: RegExp;
  policy?: CompiledTagPolicy;
  /**
   * Names the subscription's best tags in the store: a digest of what it matches and how it orders,
   * so a subscription that changes its criteria starts afresh while a reordered list keeps its own.
   */
  key: string;
}

export function compileSubscription(subscription: Subscription): CompiledSubscription {
  const { tagPattern, policy, ...rest } = subscription;
  const identity = [
    rest.registry,
    rest.repositories,
    rest.tags,
    tagPattern ?? null,
    rest.semver ?? null,
    policy ?? null,
    rest.signatureTags === true,
  ];
  return {
    ...rest,
    ...(tagPattern === undefined ? {} : { tagPattern: new RegExp(tagPattern) }),
    ...(policy === undefined ? {} : { policy: compileTagPolicy(policy) }),
    key: hash("sha256", JSON.stringify(identity), "hex").slice(0, 32),
  };
}

/** True when any of the project's subscriptions accepts the push. */
export function projectAccepts(subscriptions: readonly CompiledSubscription[], push: PushToMatch): boolean {
  return subscriptions.some((s) => subscriptionAccepts(s, push));
}
