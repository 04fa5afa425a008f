/**
 * The accept-time rules both SQL stores apply, as pure functions over what they read: tag policies'
 * best tags, and one push, one run (a digest-only notification is the same push as its tagged one;
 * runPer: digest gathers a digest's tags into one event).
 */
import {
  DIGEST_ONLY_HOLD_MS,
  WEBHOOK_REGISTRY_KINDS,
  judgeTag,
  registryHostKey,
  type NewEvent,
  type NewImagePushEvent,
} from "@bosun/core";

/**
 * Pushes of one image: project, host/repository and digest (spaces apart: none of them holds one, and
 * PostgreSQL's text takes no NUL); undefined for what has no digest. The host is core's
 * registryHostKey, so a webhook's host and a watched registry's address name one registry alike.
 */
export function digestKeyOf(e: NewEvent): string | undefined {
  if (!e.image?.digest || e.type !== "image_push") return undefined;
  return [e.project, `${registryHostKey(e.image.registry)}/${e.image.repository}`, e.image.digest].join(" ");
}

/** Pushes of one tag: project, host/repository (as in digestKeyOf) and tag; undefined without a tag. */
export function tagKeyOf(e: NewEvent): string | undefined {
  if (!e.image?.tag || e.type !== "image_push") return undefined;
  return [e.project, `${registryHostKey(e.image.registry)}/${e.image.repository}`, e.image.tag].join(" ");
}

const WEBHOOK_SOURCES: ReadonlySet<string> = new Set(WEBHOOK_REGISTRY_KINDS);

/** The two ways a push is known: heard (a registry's webhook) or seen (a poll); undefined for others. */
export function sideOf(source: string): "webhook" | "poll" | undefined {
  if (source === "poll") return "poll";
  return WEBHOOK_SOURCES.has(source) ? "webhook" : undefined;
}

/** Whether the push is checked against its tag's latest event from the other side (heardAndPolled). */
export function checksOtherSide(e: NewEvent): boolean {
  const admission = e.image && "admission" in e ? e.admission : undefined;
  return (
    admission?.heardAndPolled === true &&
    sideOf(e.source) !== undefined &&
    digestKeyOf(e) !== undefined &&
    tagKeyOf(e) !== undefined
  );
}

/**
 * One push, one run across webhook and poll: the push is the same as its tag's latest event when
 * that came the other way (a webhook's for a poll, a poll's for a webhook) with the same digest.
 */
export function isSamePushFromOtherSide(
  e: NewEvent,
  latest: { source: string; digestKey: string | null } | undefined,
): boolean {
  if (!latest || latest.digestKey !== digestKeyOf(e)) return false;
  const side = sideOf(latest.source);
  return side !== undefined && side !== sideOf(e.source);
}

/** The repository a policy's best tag is kept for: the same path on another host is another. */
export function policyRepositoryOf(e: NewImagePushEvent): string {
  return `${e.image.registry}/${e.image.repository}`;
}

/**
 * How the store treats an event: as before (plain: no digest, or no admission, as for an event
 * created through the API, which is run as asked), or by one of the rules.
 */
export type AdmissionKind = "plain" | "digest-only" | "tagged" | "gather";

export function admissionKindOf(e: NewEvent): AdmissionKind {
  const admission = e.image && "admission" in e ? e.admission : undefined;
  if (admission === undefined || digestKeyOf(e) === undefined) return "plain";
  if (!e.image?.tag) return "digest-only";
  return admission.gatherMs !== undefined ? "gather" : "tagged";
}

/** Whether the event needs reads before it is written (a policy, a digest-only push, or gathering). */
export function needsAdmission(e: NewEvent): boolean {
  const kind = admissionKindOf(e);
  return kind === "digest-only" || kind === "gather" || policiesOf(e).length > 0 || checksOtherSide(e);
}

export function policiesOf(e: NewEvent) {
  return (e.image && "admission" in e && e.admission?.policies) || [];
}

export function holdMsOf(e: NewEvent): number {
  return (e.image && "admission" in e && e.admission?.holdMs) || DIGEST_ONLY_HOLD_MS;
}

export interface PolicyOutcome {
  taken: boolean;
  /** Best tags that advance to this push's tag. */
  advanced: string[];
  /** Why it was not taken, when it was not. */
  reason: string;
}

/**
 * Judges the push's tag against each policy's best tag (`bestOf` its key): taken when a policy's best
 * tag advances, or whatever they say when a subscription without a policy takes it.
 */
export function judgePolicies(
  e: NewImagePushEvent,
  bestOf: (key: string) => string | undefined,
): PolicyOutcome {
  const tag = e.image.tag ?? "";
  const advanced: string[] = [];
  const reasons: string[] = [];
  for (const { key, policy } of policiesOf(e)) {
    const judgement = judgeTag(policy, tag, bestOf(key));
    if (judgement.take) advanced.push(key);
    else reasons.push(judgement.reason);
  }
  const always = e.admission?.always ?? true;
  return { taken: always || advanced.length > 0, advanced, reason: [...new Set(reasons)].join("; ") };
}

/** Why a digest-only push was not taken: an event of its digest came first. */
export function digestOnlyReason(
  e: NewImagePushEvent,
  earlier: { ref: string; tag?: string | undefined },
): string {
  return earlier.tag
    ? `${e.image.ref} is the push already accepted as ${earlier.ref}`
    : `${e.image.ref} was already accepted without a tag`;
}

/** The image of an event gathering a digest's tags, with `tag` joined. */
export function withTag<T extends { tag?: string; tags?: string[] }>(image: T, tag: string): T {
  const tags = image.tags ?? (image.tag ? [image.tag] : []);
  return { ...image, tags: tags.includes(tag) ? tags : [...tags, tag] };
}
