/** A scan's changes as events: what a webhook's push would have been, for each subscribed project. */
import { hash } from "node:crypto";
import {
  compileSubscription,
  imageRef,
  judgeTag,
  planPush,
  type CompiledSubscription,
  type NewImagePushEvent,
  type ProjectConfig,
  type PushAdmission,
  type RegistryAccount,
} from "@bosun/core";
import type { TagChange } from "./tags.js";

/**
 * The same observation is the same delivery: (account, repository, tag, digest) and the count of the
 * repository's recordings before it. A scan whose events were stored but whose recording was not
 * (the process died between) finds the same changes again, and they are duplicates; a tag deleted
 * and pushed again with the same digest is seen after another recording, and fires again.
 */
export function pollDeliveryId(
  account: string,
  repository: string,
  change: TagChange,
  changes: number,
): string {
  const identity = ["poll", account, repository, change.tag, change.digest, String(changes)].join("\0");
  return `poll-${hash("sha256", identity, "hex")}`;
}

export interface EventsOfScan {
  account: RegistryAccount;
  repository: string;
  changes: readonly TagChange[];
  /** Recordings of the repository so far (0 before its first). */
  recorded: number;
  firstScan: boolean;
  projects: readonly ProjectConfig[];
}

/**
 * An event per (project, change) a subscription of the project takes, with its admission as a
 * webhook's push has it (core's planPush): the store then applies tag policies and runPer: digest to
 * polled pushes as to webhook ones. On a first scan, only subscriptions asking take part.
 */
export function eventsOfScan(scan: EventsOfScan): NewImagePushEvent[] {
  const { account, repository } = scan;
  const out: NewImagePushEvent[] = [];
  for (const project of scan.projects) {
    const subscriptions = project.subscriptions
      .filter((s) => s.registry === "poll" && (!scan.firstScan || s.fireOnFirstScan === true))
      .map(compileSubscription);
    if (subscriptions.length === 0) continue;
    // A project that also hears webhooks may have run this push already: the store makes it one run.
    const heard = project.subscriptions.some((s) => s.registry !== "poll");
    const planned = scan.changes.flatMap((change) => {
      const push = { registry: "poll" as const, repository, tag: change.tag, account: account.name };
      const plan = planPush(subscriptions, push);
      if (!("admission" in plan)) return [];
      return [{ change, admission: heard ? { ...plan.admission, heardAndPolled: true } : plan.admission }];
    });
    for (const { change, admission } of bestOfScan(planned, subscriptions))
      out.push(pollEvent(scan, project.name, change, admission));
  }
  return out;
}

interface Planned {
  change: TagChange;
  admission: PushAdmission;
}

/**
 * Of the changes one scan found, a push judged only by tag policies is kept when its tag is the best
 * of the scan's for one of them: a scan seeing v1.0, v1.1 and v1.2 new at once fires for v1.2, not
 * three times as each would advance the stored best tag in turn. The store still judges what is kept
 * against the best tag it has (an older one than that fires nothing).
 */
function bestOfScan(planned: readonly Planned[], subscriptions: readonly CompiledSubscription[]): Planned[] {
  const bestTag = new Map<string, string>();
  for (const s of subscriptions) {
    if (!s.policy) continue;
    let best: string | undefined;
    for (const { change, admission } of planned)
      if (admission.policies.some((p) => p.key === s.key) && judgeTag(s.policy, change.tag, best).take)
        best = change.tag;
    if (best !== undefined) bestTag.set(s.key, best);
  }
  return planned.filter(
    ({ change, admission }) =>
      admission.always || admission.policies.some((p) => bestTag.get(p.key) === change.tag),
  );
}

function pollEvent(
  scan: EventsOfScan,
  project: string,
  change: TagChange,
  admission: PushAdmission,
): NewImagePushEvent {
  const { account, repository } = scan;
  const payload = {
    account: account.name,
    registry: account.address,
    repository,
    tag: change.tag,
    digest: change.digest,
    ...(change.mediaType ? { mediaType: change.mediaType } : {}),
    ...(change.listDigest ? { listDigest: change.listDigest } : {}),
    ...(change.previous ? { previousDigest: change.previous } : {}),
    firstScan: scan.firstScan,
  };
  return {
    project,
    source: "poll",
    type: "image_push",
    image: {
      registry: account.address,
      repository,
      tag: change.tag,
      digest: change.digest,
      ...(change.mediaType ? { mediaType: change.mediaType } : {}),
      ref: imageRef(account.address, repository, change.tag),
    },
    payload: JSON.stringify(payload),
    deliveryId: pollDeliveryId(account.name, repository, change, scan.recorded),
    admission,
  };
}
