/** Project opt-in: which pushes reach a project. */
import semver from "semver";
import type { RegistryKind } from "../events.js";
import type { Subscription } from "../config/types.js";
import { globListMisses, orList } from "./tag-globs.js";

/** The longest tag an OCI registry takes. */
export const MAX_TAG = 128;

export interface PushToMatch {
  registry: RegistryKind;
  repository: string;
  /** Absent for a push by digest. */
  tag?: string;
}

/** Whether a subscription takes a push, and if not, why, in words a user reads. */
export type SubscriptionVerdict = { takes: true } | { takes: false; reason: string };

/**
 * True when the subscription names the push's registry kind and every criterion it sets accepts the
 * push: repository globs, tag globs, the tag pattern and the semver range. A push without a tag passes
 * tag criteria only when there are none, or only negative globs.
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
  const repositoryMiss = globListMisses(push.repository, subscription.repositories);
  if (repositoryMiss) return refuse(`repository ${push.repository} ${repositoryMiss}`);
  const tag = push.tag ?? "";
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
  return { takes: true };
}

function tagWords(tag: string): string {
  return tag === "" ? "a push without a tag" : `tag ${tag}`;
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
