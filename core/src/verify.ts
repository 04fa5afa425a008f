/**
 * Verified webhooks: a subscription's `verifyWith` makes its webhook a hint, checked against the
 * registry before the event runs. The worker asks through a PushVerifier (the seam: @bosun/watchers
 * implements it, and the worker may not import that package), and keeps what it learnt with the event.
 */
import type { ProjectConfig } from "./config/types.js";
import type { ImagePushEvent } from "./events.js";
import { compileSubscription, explainSubscription } from "./subscriptions/match.js";

/** What a verifier is asked: the pushed repository's tag (or, without a tag, the claimed digest). */
export interface PushToVerify {
  /** A watched registry's name (`registries`), whose account asks. */
  account: string;
  repository: string;
  tag?: string;
  /** The digest the webhook claimed, when it claimed one. */
  claimed?: string;
}

/**
 * The registry's answer: the digest of the manifest the tag names (and, for a manifest list, its
 * platform's entry); no such tag (`refused`); or no answer to be had now (`unreachable`).
 */
export type PushVerdict =
  { digest: string; platformDigest?: string } | { refused: string } | { unreachable: string };

export interface PushVerifier {
  verify(push: PushToVerify): Promise<PushVerdict>;
}

/** What the registry said of a verified webhook's push, kept with its event (`verification`). */
export type EventVerification = {
  account: string;
  /** RFC 3339. */
  checkedAt: string;
  claimed?: string;
} & (
  | { digest: string }
  | { refused: string }
  /** The event waits in the queue until `retryAt` (RFC 3339), then the registry is asked again. */
  | { unreachable: string; retryAt: string }
);

/** The push to verify for the event, from the first subscription with verifyWith that takes it. */
export function pushToVerify(project: ProjectConfig, event: ImagePushEvent): PushToVerify | undefined {
  const { repository, tag, digest } = event.image;
  for (const s of project.subscriptions) {
    if (s.verifyWith === undefined) continue;
    if (
      !explainSubscription(compileSubscription(s), {
        registry: event.source,
        repository,
        ...(tag ? { tag } : {}),
      }).takes
    )
      continue;
    return {
      account: s.verifyWith,
      repository,
      ...(tag ? { tag } : {}),
      ...(digest ? { claimed: digest } : {}),
    };
  }
  return undefined;
}

/**
 * The verdict against the claim: a push whose webhook named a digest the tag does not name (neither
 * the manifest's nor, for a list, its platform's) is refused; otherwise it runs with the registry's.
 */
export function judgeVerdict(push: PushToVerify, verdict: PushVerdict): PushVerdict {
  if (!("digest" in verdict) || push.claimed === undefined) return verdict;
  if (push.claimed === verdict.digest || push.claimed === verdict.platformDigest) return verdict;
  const what = push.tag ? `${push.repository}:${push.tag}` : push.repository;
  return {
    refused: `the webhook claimed ${push.claimed}, but ${what} is ${verdict.digest} at registry "${push.account}"`,
  };
}
