import type { RegistryKind } from "../events.js";
import type { RetentionRule } from "../retention.js";

/** Where a script or Dispatchfile comes from. */
export type SourceRef = { path: string } | { git: { url: string; revision: string; path: string } };

export interface Subscription {
  registry: RegistryKind;
  /** Globs; empty matches every repository. */
  repositories: string[];
  /** Globs with "!" negation (Dispatch semantics); empty matches every tag. */
  tags: string[];
  /** A regular expression the whole tag must match, e.g. "^v[0-9]+\\.[0-9]+\\.[0-9]+$". */
  tagPattern?: string;
  /** A semver range the tag (with or without a leading "v") must satisfy, e.g. ">=1.2.0 <2". */
  semver?: string;
  /** Takes only pushes whose tag becomes the best tag of its repository (Flux's ImagePolicy). */
  policy?: TagPolicy;
  /** Takes signature, attestation, SBOM and referrers tags (`sha256-<hex>.sig`), skipped otherwise. */
  signatureTags?: boolean;
  /**
   * "digest": the tags pushed for one digest within `windowMs` make one event (and one run) carrying
   * them all; absent or "tag": one event per pushed tag, as Brigade has it.
   */
  runPer?: "tag" | "digest";
  /** How long the first push of a digest waits for more tags of it (runPer: digest). */
  windowMs?: number;
  /** registry "poll": the watched registries (names from `registries`) it takes; empty or absent: all. */
  accounts?: string[];
  /** registry "poll": fire for the tags a repository's first scan finds, rather than only record them. */
  fireOnFirstScan?: boolean;
  /**
   * A webhook registry: its pushes are hints, checked before they run by asking this watched
   * registry's account (a name from `registries`) for the tag's digest (docs/configuration.md).
   */
  verifyWith?: string;
}

export type TagOrder = "semver" | "alphabetical" | "numerical";

/** Flux's ImagePolicy: which tags take part (pattern), what of them is ordered (extract), and how. */
export interface TagPolicy {
  /** A regular expression a tag must contain a match of; Go's `(?P<name>...)` groups are accepted. */
  pattern?: string;
  /** The value ordered, from the pattern's groups: "$ver", "${ver}", "$1"; absent: the whole tag. */
  extract?: string;
  order: TagOrder;
  /** semver: the versions that take part, e.g. ">=1.0.0 <2.0.0"; absent: every release version. */
  range?: string;
  /** alphabetical and numerical: asc (default) ranks the highest value best, desc the lowest. */
  direction?: "asc" | "desc";
}

/** A registry Bosun polls for new and moved tags, with the account it polls as. */
export interface RegistryAccount {
  /** Unique among `registries`; what subscriptions' `accounts` and `bosun registries` name. */
  name: string;
  /** host[:port], as in image references (the events' image.registry). */
  address: string;
  /** The repositories watched; empty when `catalog` lists them. */
  repositories: string[];
  /** Watch every repository the registry's catalog (/v2/_catalog) lists to this account. */
  catalog: boolean;
  /** Absent: anonymous. */
  credentials?: AccountCredentials;
  /** Plain HTTP: only for registries listed so. */
  insecure: boolean;
  intervalMs: number;
  /** Each scan waits interval plus a random part of this, so repositories spread out. */
  jitterMs: number;
  platform: Platform;
}

/**
 * How an account logs in. A password file is read again at every login, so a token written there by
 * something else (ECR's `aws ecr get-login-password`, refreshed before it expires) is picked up.
 */
export type AccountCredentials =
  | { username: string; password: string }
  | { username: string; passwordFile: string }
  /** The project's stored login (`bosun login`) for the registry's address. */
  | { login: string };

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Events created through the API (`bosun event create`) this project takes: one source, some types. */
export interface EventSubscription {
  /** A Brigade v2 source, e.g. "brigade.sh/cli". */
  source: string;
  /** Types of that source; "*" takes every one. */
  types: string[];
}

export type ExecutorKind = "docker" | "kubernetes" | "host";

export interface ProjectConfig {
  name: string;
  /** Absolute path after parsing. */
  script?: SourceRef;
  dispatchfile?: SourceRef;
  /** Values are secrets: never logged, never listed. */
  secrets: Record<string, string>;
  subscriptions: Subscription[];
  /** The sources and types of events created through the API that reach the project; absent: none. */
  events?: EventSubscription[];
  /** Shared secret gateways check (query token, Authorization header, HMAC key, per registry). */
  webhookToken?: string;
  /**
   * Pub/Sub push authentication the gcr gateway requires instead of the webhookToken: Google's OIDC
   * token, issued for this service account and audience.
   */
  pubsub?: PubSubPushAuth;
  executor: ExecutorKind;
  concurrency: number;
  timeouts: { scriptMs: number; jobMs: number };
  /** Jobs may ask for `privileged` only when this is true. */
  allowPrivileged: boolean;
  /** The service account whose logins the project's jobs and clones use as well as its own. */
  serviceAccount?: string;
  /** A run's jobs: how many it may start in all, and run at once. Absent: 500 and 4. */
  jobs?: RunJobLimits;
  /** Answer registries' callback URLs with the run's outcome (Docker Hub's callback_url). */
  callbacks?: { dockerhub: boolean };
  /** Which finished runs (and their logs) are pruned; empty keeps everything. */
  logRetention?: RetentionRule[];
}

export interface RunJobLimits {
  maxPerRun: number;
  maxConcurrentPerRun: number;
}

export interface PubSubPushAuth {
  /** The `email` claim: the service account the push subscription signs its tokens as. */
  serviceAccount: string;
  /** The `aud` claim: the subscription's token audience (by default Pub/Sub uses the push endpoint URL). */
  audience: string;
}

export interface ServerConfig {
  /** The file it was read from, for messages; absent when built in code. */
  file?: string;
  port: number;
  host: string;
  /** Absolute. */
  dataDir: string;
  adminToken?: string;
  /** Tokens that may read the API (GET) but not change anything; absent: none. */
  readOnlyTokens?: string[];
  bodyLimitBytes: number;
  /** Events one webhook request may become; past it the request is refused (413). */
  maxEventsPerRequest: number;
  /** How long a digest-only push waits for its digest to arrive tagged before it may run. */
  digestHoldMs: number;
  /** How long a client may take to send its request headers, and its whole request (Node's server timeouts). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** The delivery log's bounds: deliveries kept, their age, and the bytes of each body kept. */
  deliveries: DeliveryLogConfig;
  /** Where the gcr gateway fetches the keys of Pub/Sub push tokens; absent: Google's. */
  pubsubJwksUrl?: string;
  /** Where registries reach this server (e.g. https://bosun.example.com): the base of the webhooks it keeps. */
  publicUrl?: string;
  /** Registries pulled from over plain HTTP (host:port). */
  /** Job containers at once across projects: further jobs wait for a slot. */
  /** network: HostConfig.NetworkMode of job containers; absent, the engine's default (bridge). */
  docker: { socketPath: string; network?: string; insecureRegistries: string[]; maxConcurrentJobs: number };
  /**
   * Slots of the host and kubernetes executors (docker's: docker.maxConcurrentJobs), and the most of
   * an executor's slots one project holds. Absent: 8, and all but a quarter.
   */
  jobs?: { maxConcurrent: number; maxConcurrentPerProject?: number };
  /** verifyRetryMs: the first wait when a verified webhook's registry cannot be asked (doubled up to 5 min). */
  worker: { leaseMs: number; maxRuns: number; pollMs: number; verifyRetryMs: number };
  sandbox: { memoryMb: number };
  /** For projects with `executor: kubernetes`; absent: the default kubeconfig and namespace. */
  kubernetes?: KubernetesConfig;
  /** A PostgreSQL store shared by several gateways and workers; absent: SQLite in dataDir. */
  store?: StoreConfig;
  /** Seals registry and git logins: read from credentials.keyFile, else BOSUN_CREDENTIALS_KEY. A secret. */
  credentialsKey?: string;
  /** Watched registries (polled); absent or empty: none. */
  registries?: RegistryAccount[];
  projects: ProjectConfig[];
}

export interface DeliveryLogConfig {
  /** The newest this many deliveries are kept; older ones are pruned as new ones are recorded. */
  keep: number;
  maxAgeMs: number;
  /** A longer body is kept cut to this many bytes and marked truncated. */
  maxBodyBytes: number;
}

export interface StoreConfig {
  /** postgres://user@host:port/database; may carry the password, so it is never printed. */
  url: string;
  /** From store.password (usually `${env:...}`) or store.passwordFile; overrides the URL's. A secret. */
  password?: string;
  /** Connections per process. */
  poolSize?: number;
}

export interface KubernetesConfig {
  /** Path to a kubeconfig; absent: in-cluster or ~/.kube/config, as kubectl finds it. */
  kubeconfig?: string;
  namespace: string;
  serviceAccountName?: string;
  imagePullSecrets: string[];
  nodeSelector: Record<string, string>;
  /** PersistentVolumeClaims for Brigade's storage (run workspaces) and cache. */
  workspaceClaim?: string;
  cacheClaim?: string;
  /**
   * Folders of the worker (absolute) that are PersistentVolumeClaims mounted in its pod: a job mount
   * from inside one (a Dispatchfile task's workspace) becomes that claim, with the rest as subPath.
   */
  pathClaims: PathClaim[];
  /** How long finished pods are kept for inspection. */
  keepPodsMs: number;
}

export interface PathClaim {
  path: string;
  claim: string;
}
