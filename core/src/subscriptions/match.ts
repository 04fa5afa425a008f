/** Project opt-in: which pushes reach a project. */
import { hash } from "node:crypto";
import semver from "semver";
import type { RegistryKind } from "../events.js";
import type { Subscription } from "../config/types.js";
import { artifactTagKind } from "./artifact-tags.js";
import { globListMisses, orList } from "./tag-globs.js";
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

/** Whether a subscription takes a push, and if not, why, in words a user reads. */
export type SubscriptionVerdict = { takes: true } | { takes: false; reason: string };

/**
 * Whether the subscription names the push's registry kind and every criterion it sets accepts the
 * push: repository globs, tag globs, the tag pattern, the semver range, and its tag policy's filter
 * (whether the tag is the best one is the store's to say). A push without a tag passes tag criteria
 * only when there are none, or only negative globs, and never a tag policy. Signature, attestation
 * and SBOM tags pass only a subscription that asks for them. The reason, when there is one worth
 * more than "no subscription accepts it".
 */
export function subscriptionAccepts(subscription: CompiledSubscription, push: PushToMatch): boolean {
  return explainSubscription(subscription, push).takes;
}

/**
 * The one matcher: the first criterion of the subscription that refuses the push, as a reason
 * ("tag v1.2-rc1 excluded by !*-rc*", "repository team/x does not match team/app*").
 */
export function explainSubscription(
  subscription: CompiledSubscription,
  push: PushToMatch,
): SubscriptionVerdict {
  const refuse = (reason: string): SubscriptionVerdict => ({ takes: false, reason });
  if (subscription.registry !== push.registry)
    return refuse(`registry ${push.registry} is not this subscription's (${subscription.registry})`);
  const accounts = subscription.accounts ?? [];
  if (accounts.length > 0 && (push.account === undefined || !accounts.includes(push.account)))
    return refuse(`watched registry ${push.account ?? "(none)"} is not among ${accounts.join(", ")}`);
  const repositoryMiss = globListMisses(push.repository, subscription.repositories);
  if (repositoryMiss) return refuse(`repository ${push.repository} ${repositoryMiss}`);
  const tag = push.tag ?? "";
  const artifact = artifactTagKind(push.tag);
  if (artifact !== undefined && subscription.signatureTags !== true)
    return refuse(`${tag} is a ${artifact} tag (a subscription takes those with signatureTags: true)`);
  if (subscription.tags.length > 0) {
    const positive = subscription.tags.filter((t) => !t.startsWith("!"));
    if (tag === "" && positive.length > 0)
      return refuse(`a push without a tag does not match ${orList(positive)}`);
    const tagMiss = tag === "" ? undefined : globListMisses(tag, subscription.tags);
    if (tagMiss) return refuse(`tag ${tag} ${tagMiss}`);
  }
  // No registry takes a longer tag; the cap also bounds the pattern's retries (it is checked to be linear).
  if (subscription.tagPattern) {
    if (tag.length > MAX_TAG) return refuse(`the tag is longer than ${MAX_TAG} characters`);
    if (!subscription.tagPattern.test(tag))
      return refuse(`${tagWords(tag)} does not match the pattern ${subscription.tagPattern.source}`);
  }
  if (subscription.semver) {
    // "v1.2.3" and "1.2.3" are versions; "latest" and "1.2" are not. Pre-releases only when the range
    // names one, as semver ranges (and Flux) have it.
    const version = semver.valid(semver.clean(tag));
    if (!version) return refuse(`${tagWords(tag)} is not a semantic version (range ${subscription.semver})`);
    if (!semver.satisfies(version, subscription.semver))
      return refuse(`version ${version} is outside the range ${subscription.semver}`);
  }
  if (subscription.policy) {
    if (tag === "") return refuse("a push without a tag has no place in a tag policy");
    const value = policyValue(subscription.policy, tag);
    if ("reason" in value) return refuse(value.reason);
  }
  return { takes: true };
}

function tagWords(tag: string): string {
  return tag === "" ? "a push without a tag" : `tag ${tag}`;
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

/** A project's subscriptions against one push: each one's verdict, and the reasons none took it. */
export interface ProjectVerdict {
  takes: boolean;
  /** Every subscription's verdict, in config order. */
  subscriptions: SubscriptionVerdict[];
  /** When none takes it: why, one line per subscription of the push's registry ("subscription 2: …"). */
  reasons: string[];
}

/** Explains `projectAccepts`: the gateway's ignored reasons and `bosun explain` come from here. */
export function explainProject(
  subscriptions: readonly CompiledSubscription[],
  push: PushToMatch,
): ProjectVerdict {
  const verdicts = subscriptions.map((s) => explainSubscription(s, push));
  const takes = verdicts.some((v) => v.takes);
  const reasons: string[] = [];
  if (!takes) {
    verdicts.forEach((v, i) => {
      if (!v.takes && subscriptions[i]?.registry === push.registry)
        reasons.push(`subscription ${i + 1}: ${v.reason}`);
    });
    if (reasons.length === 0) reasons.push(`no subscription for registry ${push.registry}`);
  }
  return { takes, subscriptions: verdicts, reasons };
}
