/** The event model: what a gateway produces and the worker consumes. */
import type { CompiledTagPolicy } from "./subscriptions/tag-policy.js";

/**
 * The registries that send webhooks, each with a gateway: what a subscription, `bosun gateway` and
 * `bosun project add` name.
 */
export const WEBHOOK_REGISTRY_KINDS = [
  "dockerhub",
  "acr",
  "quay",
  "harbor",
  "ghcr",
  "gcr",
  "ecr",
  "distribution",
  "jfrog",
] as const;

/** Where an event came from: a registry's webhook, or `poll` and `cli`, which are not subscribed to. */
export const REGISTRY_KINDS = [...WEBHOOK_REGISTRY_KINDS, "poll", "cli"] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export type EventType = "image_push" | "image_delete";

export interface ImageRef {
  /** Registry host, e.g. "docker.io", "myregistry.azurecr.io", "127.0.0.1:5000". */
  registry: string;
  /** Repository path without host, e.g. "myorg/app" ("library/redis" for official Docker Hub images). */
  repository: string;
  tag?: string;
  digest?: string;
  mediaType?: string;
  pusher?: string;
  /** RFC 3339. */
  pushedAt?: string;
  /** "docker.io/myorg/app:v1.2.3", or "...@sha256:..." when there is no tag. */
  ref: string;
  /**
   * Every tag the event stands for, in the order they arrived, when a subscription runs once per
   * digest (runPer: digest): `tag` is the first of them.
   */
  tags?: string[];
}

export interface ImagePushEvent {
  /** ULID assigned on acceptance: sortable by time. */
  id: string;
  project: string;
  source: RegistryKind;
  type: EventType;
  image: ImageRef;
  /** The request body exactly as received. */
  payload: string;
  /** From the registry where it has one, else a hash of body + tag: a redelivery is accepted once. */
  deliveryId: string;
  /** RFC 3339. */
  receivedAt: string;
}

/** Brigade v2's descriptive fields of an event created through the API. */
export interface EventDetails {
  qualifiers?: Record<string, string>;
  labels?: Record<string, string>;
  shortTitle?: string;
  longTitle?: string;
}

/**
 * An event of any source and type, created through the admin API (`bosun event create`): a Brigade
 * v2 source such as "brigade.sh/cli", a type such as "exec", and the payload as given. No image.
 */
export interface CustomEvent {
  id: string;
  project: string;
  source: string;
  type: string;
  image?: undefined;
  payload: string;
  deliveryId: string;
  receivedAt: string;
  details?: EventDetails;
}

/** What the store keeps and the worker runs: a registry's push, or an event created through the API. */
export type BosunEvent = ImagePushEvent | CustomEvent;

/** What a gateway (or the API) hands to the store; the store assigns id and receivedAt. */
export type NewEvent = NewImagePushEvent | NewCustomEvent;
export type NewImagePushEvent = Omit<ImagePushEvent, "id" | "receivedAt"> & {
  /** How the store decides whether the push is taken; absent: taken, one event per push. */
  admission?: PushAdmission;
};

/** A digest-only push waits this long for the same digest to arrive tagged, unless told otherwise. */
export const DIGEST_ONLY_HOLD_MS = 10_000;

/** A tag policy a push is judged by: its best tag per repository is kept in the store under `key`. */
export interface PolicyCandidate {
  key: string;
  policy: CompiledTagPolicy;
}

/**
 * What the store settles in the accept's unit of work, so that gateways sharing a database agree:
 * the push is taken when `always` (a subscription without a tag policy takes it) or when its tag
 * becomes the best tag of one of `policies` (every policy's best tag advances either way).
 */
export interface PushAdmission {
  always: boolean;
  policies: readonly PolicyCandidate[];
  /**
   * runPer: digest: the event waits this long after the first tag of its digest, and the tags of
   * that digest accepted meanwhile join it (image.tags) instead of making events of their own.
   */
  gatherMs?: number;
  /** A digest-only push waits this long for its digest to arrive tagged; default DIGEST_ONLY_HOLD_MS. */
  holdMs?: number;
  /**
   * The project hears the repository both ways, by webhook and by poll: a push whose tag's latest
   * event came the other way with the same digest is that event's duplicate (one push, one run).
   */
  heardAndPolled?: boolean;
}
export type NewCustomEvent = Omit<CustomEvent, "id" | "receivedAt">;

/** The source named by events created with `bosun event create` (and `brig`) unless told otherwise. */
export const CLI_EVENT_SOURCE = "brigade.sh/cli";

/** Brigade v2's gateways named themselves brigade.sh/<registry>; a push is type "push" (ACR: its action). */
export function v2SourceOf(registry: RegistryKind): string {
  return `brigade.sh/${registry}`;
}

/** Builds the canonical reference: host/repository:tag, or host/repository@digest when untagged. */
export function imageRef(registry: string, repository: string, tag?: string, digest?: string): string {
  const base = `${registry}/${repository}`;
  if (tag) return `${base}:${tag}`;
  if (digest) return `${base}@${digest}`;
  return base;
}
