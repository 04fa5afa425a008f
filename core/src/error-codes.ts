/**
 * The one registry of error codes a user can see: in HTTP answers, run and job records, a script's
 * errors, CLI output. Each code says what it means and the HTTP status it is answered with, or `null`
 * when it never is an HTTP answer. docs/errors.md lists the same codes with what to do about each; a
 * test keeps the two in step.
 */

export type ErrorGroup =
  | "request"
  | "server"
  | "config"
  | "credentials"
  | "watch"
  | "dispatchfile"
  | "script"
  | "job"
  | "executor"
  | "kubernetes"
  | "webhooks"
  | "cli";

export interface ErrorSpec {
  group: ErrorGroup;
  /** The HTTP status of an answer with this code; null: the code is never an HTTP answer. */
  http: number | null;
  /** One line: what went wrong. */
  meaning: string;
}

export const ERROR_CODES = {
  // Requests to the gateways and the API
  PAYLOAD_MALFORMED: {
    group: "request",
    http: 400,
    meaning: "the request body (or a header it needs) is not what the endpoint takes",
  },
  PAYLOAD_UNSUPPORTED: {
    group: "request",
    http: 400,
    meaning: "the payload is well formed but of a kind this registry's gateway does not handle",
  },
  CONTENT_TYPE_UNSUPPORTED: {
    group: "request",
    http: 415,
    meaning: "the Content-Type or Content-Encoding is not one the registry sends",
  },
  BODY_TOO_LARGE: { group: "request", http: 413, meaning: "the request body is over the size limit" },
  TOO_MANY_EVENTS: {
    group: "request",
    http: 413,
    meaning: "one request reports more pushes than server.maxEventsPerRequest; none was stored",
  },
  UNAUTHORIZED: {
    group: "request",
    http: 401,
    meaning: "missing or wrong webhook token or admin token, or an unknown project",
  },
  READ_ONLY_TOKEN: {
    group: "request",
    http: 403,
    meaning: "the token is one of server.readOnlyTokens: it may read the API but not change anything",
  },
  NOT_FOUND: {
    group: "request",
    http: 404,
    meaning: "no such route, registry, project, event, run, job, delivery or login",
  },
  DELIVERY_TRUNCATED: {
    group: "request",
    http: 409,
    meaning:
      "the delivery's body was kept only in part (server.deliveries.maxBodyBytes), so it cannot be redelivered",
  },
  EVENT_NOT_SUBSCRIBED: {
    group: "request",
    http: 403,
    meaning: "the project does not take events of that source and type (its config's `events`)",
  },
  PROJECT_EXISTS: {
    group: "request",
    http: 409,
    meaning: "a project of that name exists already (made through the API, or in bosun.yaml)",
  },
  PROJECT_FILE_MANAGED: {
    group: "request",
    http: 409,
    meaning: "the project is defined in bosun.yaml, so the API does not change or remove it",
  },
  QUERY_INVALID: {
    group: "request",
    http: 400,
    meaning:
      "a query parameter of an API listing (runs, events, deliveries) is not what it takes (a status, an outcome, a time, a limit)",
  },
  RUN_IN_PROGRESS: {
    group: "request",
    http: 409,
    meaning: "the run, or another run of its event, is queued or running: it cannot be rerun or retried yet",
  },
  RUN_NOT_RETRYABLE: {
    group: "request",
    http: 409,
    meaning: "the run succeeded: a retry has no failed job to run again (a rerun runs it all)",
  },
  RUN_FINISHED: {
    group: "request",
    http: 409,
    meaning: "the run has finished: there is nothing to cancel",
  },
  // The server itself
  STORE_UNAVAILABLE: {
    group: "server",
    http: 503,
    meaning:
      "the store cannot commit or read right now (disk full, read-only, locked, closed, database server down)",
  },
  STORE_SCHEMA_TOO_NEW: {
    group: "server",
    http: null,
    meaning: "the store's database was migrated by a newer Bosun than this one; it is refused at start",
  },
  KEYS_UNAVAILABLE: {
    group: "server",
    http: 503,
    meaning: "the keys that verify a request's token (Google's, for Pub/Sub pushes) cannot be fetched",
  },
  INTERNAL: {
    group: "server",
    http: 500,
    meaning: "a failure inside Bosun, or a run abandoned by a worker that died or lost its lease",
  },
  // Configuration
  CONFIG_INVALID: {
    group: "config",
    http: null,
    meaning: "bosun.yaml (or a value it points to, such as the credentials key) is invalid",
  },
  CONFIG_NOT_FOUND: { group: "config", http: null, meaning: "the config file cannot be read" },
  // Registry and git logins
  CREDENTIALS_KEY_MISSING: {
    group: "credentials",
    http: 409,
    meaning: "a login is to be stored or used, and the server has no (or too short a) credentials key",
  },
  CREDENTIALS_UNREADABLE: {
    group: "credentials",
    http: null,
    meaning: "stored logins do not open with the server's credentials key",
  },
  CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND: {
    group: "credentials",
    http: 404,
    meaning: "no service account of that name exists (a login for it, or a project naming it)",
  },
  CREDENTIALS_SERVICE_ACCOUNT_EXISTS: {
    group: "credentials",
    http: 409,
    meaning: "a service account of that name already exists",
  },
  CREDENTIALS_SERVICE_ACCOUNT_IN_USE: {
    group: "credentials",
    http: 409,
    meaning: "the service account is named by projects, so it cannot be removed",
  },
  CREDENTIALS_LOGIN_NOT_FOUND: {
    group: "credentials",
    http: null,
    meaning: "the login a project's webhook is managed with (its image-repository secret) is not stored",
  },
  // Watched registries (polling)
  REGISTRY_UNREACHABLE: {
    group: "watch",
    http: null,
    meaning: "a watched registry could not be reached, or answered with a server error",
  },
  REGISTRY_LOGIN_FAILED: {
    group: "watch",
    http: null,
    meaning: "a watched registry (or its token service) refused the account's login",
  },
  REGISTRY_RATE_LIMITED: {
    group: "watch",
    http: null,
    meaning: "a watched registry kept answering 429 Too Many Requests after every wait",
  },
  REGISTRY_ANSWER_INVALID: {
    group: "watch",
    http: null,
    meaning: "a watched registry answered with something the Distribution API does not send",
  },
  REGISTRY_REPOSITORY_NOT_FOUND: {
    group: "watch",
    http: null,
    meaning: "a watched repository does not exist, or the account may not see it",
  },
  PUSH_NOT_VERIFIED: {
    group: "watch",
    http: null,
    meaning: "a verified webhook's push is not what the registry has: no such tag, or another digest",
  },
  // Dispatchfiles
  DISPATCHFILE_INVALID: {
    group: "dispatchfile",
    http: null,
    meaning: "the Dispatchfile has a syntax, evaluation, type or structure error",
  },
  DISPATCHFILE_UNSUPPORTED: {
    group: "dispatchfile",
    http: null,
    meaning: "the Dispatchfile uses a language or construct Bosun does not support, or a field it ignores",
  },
  DISPATCHFILE_REFERENCE: {
    group: "dispatchfile",
    http: null,
    meaning: "the Dispatchfile names an unknown task or resource, or has a dependency cycle",
  },
  DISPATCHFILE_NOT_FOUND: {
    group: "dispatchfile",
    http: null,
    meaning: "the Dispatchfile cannot be read, or the project has none",
  },
  // Scripts and the sandbox
  SCRIPT_NOT_FOUND: { group: "script", http: null, meaning: "the project's script file cannot be read" },
  SCRIPT_BUNDLE_FAILED: {
    group: "script",
    http: null,
    meaning: "the script (or a module it imports) does not bundle: a syntax error or a missing import",
  },
  SCRIPT_DEPENDENCIES_FAILED: {
    group: "script",
    http: null,
    meaning: "the npm dependencies in the script's package.json cannot be installed",
  },
  SCRIPT_FORBIDDEN_IMPORT: {
    group: "script",
    http: null,
    meaning: "the script imports a Node built-in or a file outside its folder",
  },
  SCRIPT_FAILED: { group: "script", http: null, meaning: "the script threw or rejected" },
  SCRIPT_UNSUPPORTED: {
    group: "script",
    http: null,
    meaning: "the script used what the sandbox takes out, such as WebAssembly",
  },
  SCRIPT_TIMED_OUT: { group: "script", http: null, meaning: "the script ran past its time limit" },
  SCRIPT_OUT_OF_MEMORY: {
    group: "script",
    http: null,
    meaning: "the script went over the sandbox's memory limit",
  },
  HOST_CALL_INVALID: {
    group: "script",
    http: null,
    meaning: "the script called the host with invalid input (a job's fields, a timer)",
  },
  // Jobs
  JOB_FAILED: { group: "job", http: null, meaning: "a job exited non-zero, or could not be started" },
  JOB_TIMED_OUT: { group: "job", http: null, meaning: "a job ran past its timeout" },
  JOB_CANCELLED: { group: "job", http: null, meaning: "a job was cancelled with its run" },
  RUN_CANCELLED: {
    group: "job",
    http: null,
    meaning: "the run was cancelled on request (`bosun runs cancel`): its jobs were stopped",
  },
  RUN_INTERRUPTED: {
    group: "job",
    http: null,
    meaning: "the worker stopped, or lost the event's lease, while the run went on: its jobs were stopped",
  },
  JOB_INVALID: {
    group: "job",
    http: null,
    meaning: "a job cannot run as asked: over a limit, or refused by the container engine",
  },
  // Executors
  EXECUTOR_UNAVAILABLE: {
    group: "executor",
    http: null,
    meaning: "the container engine or Kubernetes API cannot be reached",
  },
  IMAGE_PULL_FAILED: { group: "executor", http: null, meaning: "the job's image cannot be pulled" },
  // The Kubernetes executor
  KUBERNETES_INVALID_JOB: {
    group: "kubernetes",
    http: null,
    meaning: "the job cannot become a valid pod (e.g. a host path outside kubernetes.pathClaims)",
  },
  KUBERNETES_UNAUTHORIZED: {
    group: "kubernetes",
    http: null,
    meaning: "the Kubernetes API refused the executor's credentials (HTTP 401)",
  },
  KUBERNETES_FORBIDDEN: {
    group: "kubernetes",
    http: null,
    meaning: "the executor's service account may not do this (HTTP 403)",
  },
  KUBERNETES_NOT_FOUND: {
    group: "kubernetes",
    http: null,
    meaning: "the namespace or object is missing (HTTP 404)",
  },
  KUBERNETES_CONFLICT: {
    group: "kubernetes",
    http: null,
    meaning: "an object of that name already exists (HTTP 409)",
  },
  KUBERNETES_INVALID: {
    group: "kubernetes",
    http: null,
    meaning: "the API server refused the pod as invalid (HTTP 422)",
  },
  KUBERNETES_API_ERROR: {
    group: "kubernetes",
    http: null,
    meaning: "any other failed call to the Kubernetes API",
  },
  KUBERNETES_POD_FAILED: {
    group: "kubernetes",
    http: null,
    meaning: "the job's pod failed or got stuck outside its container's exit code",
  },
  KUBERNETES_POD_DELETED: {
    group: "kubernetes",
    http: null,
    meaning: "the job's pod was deleted before it finished",
  },
  // Webhooks Bosun manages on a registry through its API (502: the registry, not the caller, failed)
  WEBHOOK_UNAUTHORIZED: {
    group: "webhooks",
    http: 502,
    meaning: "the registry's API refused the login Bosun used to manage its webhook (HTTP 401)",
  },
  WEBHOOK_FORBIDDEN: {
    group: "webhooks",
    http: 502,
    meaning: "the registry login may not manage webhooks of that repository or project (HTTP 403)",
  },
  WEBHOOK_NOT_FOUND: {
    group: "webhooks",
    http: 502,
    meaning: "the registry has no such repository, project or webhook (HTTP 404)",
  },
  WEBHOOK_CONFLICT: {
    group: "webhooks",
    http: 409,
    meaning:
      "the registry holds a webhook of that name at another URL, still there after a second look (HTTP 409)",
  },
  WEBHOOK_RATE_LIMITED: {
    group: "webhooks",
    http: 503,
    meaning: "the registry's API asked Bosun to slow down (HTTP 429, or GitHub's exhausted rate limit)",
  },
  WEBHOOK_UNREACHABLE: {
    group: "webhooks",
    http: 502,
    meaning: "the registry's API cannot be reached (DNS, connection, TLS, timeout)",
  },
  WEBHOOK_API_ERROR: {
    group: "webhooks",
    http: 502,
    meaning: "the registry's API answered a webhook request with another error or an unexpected body",
  },
  WEBHOOK_UNSUPPORTED: {
    group: "webhooks",
    http: 400,
    meaning: "the registry cannot send the asked events through a webhook (Quay and Docker Hub: pushes only)",
  },
  // The CLI's own
  USAGE_INVALID: {
    group: "cli",
    http: null,
    meaning: "a command's options or arguments are missing, invalid, or cannot be used together",
  },
  SERVER_UNREACHABLE: {
    group: "cli",
    http: null,
    meaning: "the CLI cannot reach the Bosun server (--server, BOSUN_SERVER)",
  },
} as const satisfies Record<string, ErrorSpec>;

/** Stable, documented error codes. Tests and clients match on these, never on messages. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes that are answered over HTTP: only these can be sent as an error answer. */
export type HttpErrorCode = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]["http"] extends number ? C : never;
}[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}
