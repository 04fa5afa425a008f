/** One scan of one repository: list its tags, read their digests, fire for what changed, record it. */
import type { ProjectConfig, RegistryAccount } from "@bosun/core";
import type { Store } from "@bosun/store";
import type { RegistryClient } from "../client/client.js";
import { eventsOfScan } from "./events.js";
import { isArtifactTag, type TagChange, type TagDecider } from "./tags.js";

export interface ScanResult {
  account: string;
  repository: string;
  /** Another process holds the repository's lease: it scans it. */
  leased?: boolean;
  firstScan: boolean;
  tags: number;
  /** New and moved tags, and deleted ones. */
  changed: TagChange[];
  deleted: string[];
  /** Events stored, and events already stored (the same observation seen again). */
  fired: number;
  duplicates: number;
}

export interface ScanContext {
  store: Store;
  client: RegistryClient;
  account: RegistryAccount;
  projects: readonly ProjectConfig[];
  decide: TagDecider;
  owner: string;
  leaseMs: number;
}

/** Digests read at once per repository; the registry's gate bounds the rate across them. */
const DIGESTS_AT_ONCE = 4;

export async function scanRepository(ctx: ScanContext, repository: string): Promise<ScanResult> {
  const { store, client, account } = ctx;
  const base = {
    account: account.name,
    repository,
    tags: 0,
    changed: [],
    deleted: [],
    fired: 0,
    duplicates: 0,
  };
  if (!(await store.watches.lease(account.name, repository, ctx.owner, ctx.leaseMs)))
    return { ...base, leased: true, firstScan: false };
  const known = await store.watches.known(account.name, repository);
  const tags = (await client.tags(repository)).filter((t) => !isArtifactTag(t));
  const current = new Map<string, string>();
  const changed: TagChange[] = [];
  await eachAtMost(DIGESTS_AT_ONCE, tags, async (tag) => {
    const found = await client.tagDigest(repository, tag, account.platform);
    if (!found) return; // deleted between the list and the HEAD
    current.set(tag, found.digest);
    const previous = known?.tags.get(tag);
    if (previous === found.digest) return;
    changed.push({
      tag,
      digest: found.digest,
      ...(found.mediaType ? { mediaType: found.mediaType } : {}),
      ...(found.listDigest ? { listDigest: found.listDigest } : {}),
      ...(previous ? { previous } : {}),
    });
  });
  // In the registry's order, whatever order the digests arrived in.
  const order = new Map(tags.map((t, i) => [t, i]));
  changed.sort((a, b) => (order.get(a.tag) ?? 0) - (order.get(b.tag) ?? 0));
  const deleted = [...(known?.tags.keys() ?? [])].filter((t) => !current.has(t));
  const firstScan = known === undefined;
  const decided = ctx.decide(changed, { account: account.name, repository, firstScan, current });
  const events = eventsOfScan({
    account,
    repository,
    changes: decided,
    recorded: known?.changes ?? 0,
    firstScan,
    projects: ctx.projects,
  });
  // Stored before recorded: a process dying between fires nothing twice (the ids repeat) and misses nothing.
  const { accepted, duplicates } =
    events.length > 0 ? await store.acceptEvents(events) : { accepted: [], duplicates: [] };
  if (firstScan || changed.length > 0 || deleted.length > 0)
    await store.watches.record(account.name, repository, current);
  return {
    ...base,
    firstScan,
    tags: current.size,
    changed,
    deleted,
    fired: accepted.length,
    duplicates: duplicates.length,
  };
}

async function eachAtMost<T>(
  limit: number,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
