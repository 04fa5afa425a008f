/**
 * Verified webhooks (a subscription's verifyWith): before a claimed push runs, the registry is asked
 * for its tag's digest through the PushVerifier the process was given. The push runs with the
 * registry's digest; one the registry does not have is recorded and not run; a registry that cannot
 * be asked hands the event back to the queue, asked again later, each wait twice the last.
 */
import {
  judgeVerdict,
  pushToVerify,
  type EventVerification,
  type ProjectConfig,
  type PushVerdict,
  type PushVerifier,
  type RunError,
} from "@bosun/core";
import type { Claim, Store } from "@bosun/store";

export interface VerifyOptions {
  store: Store;
  findProject(name: string): ProjectConfig | undefined;
  /** Asks a registry what a webhook claimed; without it, a push to verify waits (it is never run unchecked). */
  verifier?: PushVerifier | undefined;
  /** The wait after a registry could not be asked, doubled at each claim up to maxMs: default 5 s and 5 min. */
  verifyRetry?: { firstMs?: number; maxMs?: number } | undefined;
  onError?(error: unknown): void;
}

export type Verified =
  /** Run it: nothing to verify, or verified (the event then carries the registry's digest). */
  | { claim: Claim }
  /** Record a run that says why, and do not run the handler. */
  | { claim: Claim; refused: RunError }
  /** Handed back to the queue (or no longer ours): nothing more to do with this claim. */
  | { deferred: true };

export async function verifyClaim(claim: Claim, options: VerifyOptions, owner: string): Promise<Verified> {
  const { event } = claim;
  if (!event.image || event.type !== "image_push") return { claim };
  const project = options.findProject(event.project);
  const push = project && pushToVerify(project, event);
  if (!push) return { claim };
  const verdict = judgeVerdict(push, await ask(options, push));
  const checked = {
    account: push.account,
    checkedAt: new Date().toISOString(),
    ...(push.claimed ? { claimed: push.claimed } : {}),
  };
  let verification: EventVerification;
  if ("digest" in verdict) verification = { ...checked, digest: verdict.digest };
  else if ("refused" in verdict) verification = { ...checked, refused: verdict.refused };
  else {
    const first = options.verifyRetry?.firstMs ?? 5_000;
    const wait = Math.min(first * 2 ** Math.max(0, claim.attempt - 1), options.verifyRetry?.maxMs ?? 300_000);
    const retryAt = new Date(Date.now() + wait).toISOString();
    verification = { ...checked, unreachable: verdict.unreachable, retryAt };
  }
  if (!(await options.store.recordVerification(event.id, owner, verification))) return { deferred: true };
  if ("unreachable" in verification) return { deferred: true };
  if ("refused" in verification)
    return { claim, refused: { code: "PUSH_NOT_VERIFIED", message: `not run: ${verification.refused}` } };
  const image = { ...event.image, digest: verification.digest };
  return { claim: { ...claim, event: { ...event, image, verification } } };
}

/** The verifier's verdict; one that throws is a registry that could not be asked, never a refusal. */
async function ask(
  options: VerifyOptions,
  push: Parameters<PushVerifier["verify"]>[0],
): Promise<PushVerdict> {
  if (!options.verifier) return { unreachable: "this process has no registry verifier" };
  try {
    return await options.verifier.verify(push);
  } catch (err) {
    options.onError?.(err);
    return { unreachable: err instanceof Error ? err.message : String(err) };
  }
}
