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
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "out_of_memory",
  "cancelled",
  "abandoned",
] as const;
