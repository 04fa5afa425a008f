/** A scan's changes as events: what a webhook's push would have been, for each subscribed project. */
import { hash } from "node:crypto";
import {
  compileSubscription,
  imageRef,
  projectAccepts,
  type NewImagePushEvent,
  type ProjectConfig,
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

/** An event per (project, change) a subscription of the project takes; on a first scan, only those asking. */
export function eventsOfScan(scan: EventsOfScan): NewImagePushEvent[] {
  const { account, repository } = scan;
  const out: NewImagePushEvent[] = [];
  for (const project of scan.projects) {
    const subscriptions = project.subscriptions
      .filter((s) => s.registry === "poll" && (!scan.firstScan || s.fireOnFirstScan === true))
      .map(compileSubscription);
    if (subscriptions.length === 0) continue;
    for (const change of scan.changes) {
      const push = { registry: "poll" as const, repository, tag: change.tag, account: account.name };
      if (!projectAccepts(subscriptions, push)) continue;
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
      out.push({
        project: project.name,
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
      });
    }
  }
  return out;
}
