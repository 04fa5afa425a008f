/** What the API answers, as far as the dashboard reads it (docs/api.md). */
export interface Run {
  id: string;
  eventId: string;
  project: string;
  attempt: number;
  handler: string;
  status: string;
  createdAt: string;
  finishedAt?: string;
  error?: { code: string; message: string; stack?: string };
  /** The run this one runs again from the start. */
  rerunOf?: string;
  /** The run this one retries, reusing the jobs that succeeded in it. */
  retryOf?: string;
  /** Who asked for this run (a rerun or retry): the kind of token, e.g. "admin". */
  requestedBy?: string;
  /** Who asked to cancel it while it ran. */
  cancelRequestedBy?: string;
}

export interface Job {
  id: string;
  runId: string;
  name: string;
  image: string;
  status: string;
  exitCode?: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: { code: string; message: string };
  /** A retry reused this job's result: the job that ran. */
  reusedFrom?: { runId: string; jobId: string };
}

export interface LogEntry {
  seq: number;
  runId: string;
  jobId?: string;
  stream: string;
  text: string;
  at: string;
}

export interface StoredEvent {
  id: string;
  project: string;
  source: string;
  type: string;
  image?: { registry?: string; repository: string; tag?: string; digest?: string; ref?: string };
  payload?: string;
  deliveryId: string;
  receivedAt: string;
  state: string;
  attempts: number;
}

export interface Subscription {
  registry: string;
  repositories?: string[];
  tags?: string[];
}

export interface Project {
  name: string;
  subscriptions: Subscription[];
  events: { source: string; types?: string[] }[];
  executor?: string;
  concurrency?: number;
  secretNames: string[];
}

export const RUN_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "out_of_memory",
  "cancelled",
  "abandoned",
] as const;

export const DELIVERY_OUTCOMES = ["accepted", "duplicate", "ignored", "rejected"] as const;

/** A webhook request as the delivery log keeps it; listings leave out `body`. */
export interface Delivery {
  id: string;
  registry: string;
  project: string;
  receivedAt: string;
  outcome: string;
  /** Only the headers that explain it; the server never keeps credentials. */
  headers: Record<string, string>;
  body?: string;
  bodyTruncated?: true;
  images: { repository: string; tag?: string }[];
  eventIds: string[];
  duplicateOf: string[];
  ignored: { what: string; reasons: string[] }[];
  problem?: { code: string; message: string };
  replayOf?: string;
}

/** One subscription's verdict on a push, with the subscription as configured. */
export interface SubscriptionVerdict {
  subscription: Subscription & { tagPattern?: string; semver?: string };
  takes: boolean;
  reason?: string;
}

/** The project's subscriptions as they are now, against one image. */
export interface Verdict {
  repository: string;
  tag?: string;
  takes: boolean;
  subscriptions: SubscriptionVerdict[];
  reasons: string[];
}

/** GET /deliveries/:id/explain: the reasons recorded then, and the verdicts now. */
export interface DeliveryExplain {
  id: string;
  outcome: string;
  project: string;
  registry: string;
  ignored: Delivery["ignored"];
  problem?: Delivery["problem"];
  configured: boolean;
  now?: Verdict[];
}
