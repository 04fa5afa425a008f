export type { ErrorCode, Problem, Result } from "./errors.js";
export { ERROR_CODES, isErrorCode } from "./error-codes.js";
export type { ErrorGroup, ErrorSpec, HttpErrorCode } from "./error-codes.js";
export {
  httpErrorOf,
  isHttpErrorCode,
  errorBody,
  failureAnswerOf,
  RETRY_AFTER_SECONDS,
} from "./http-errors.js";
export type { ErrorBody, FailureMessages, HttpError, HttpErrorAnswer } from "./http-errors.js";
export {
  BosunError,
  StoreUnavailableError,
  StoreSchemaTooNewError,
  ok,
  fail,
  formatProblems,
} from "./errors.js";
export type {
  RegistryKind,
  EventType,
  ImageRef,
  ImagePushEvent,
  EventDetails,
  CustomEvent,
  BosunEvent,
  NewEvent,
  NewImagePushEvent,
  NewCustomEvent,
  PushAdmission,
  PolicyCandidate,
} from "./events.js";
export { CLI_EVENT_SOURCE, DIGEST_ONLY_HOLD_MS, v2SourceOf } from "./events.js";
export { REGISTRY_KINDS, WEBHOOK_REGISTRY_KINDS, imageRef } from "./events.js";
export { registryHostKey } from "./registry-host.js";
export { judgeVerdict, pushToVerify } from "./verify.js";
export type { EventVerification, PushToVerify, PushVerdict, PushVerifier } from "./verify.js";
export { newId, firstIdAt } from "./ids.js";
export type {
  RunStatus,
  JobStatus,
  RunError,
  Run,
  NewRun,
  JobRecord,
  NewJob,
  LogStream,
  LogEntry,
  NewLogEntry,
  RunRequest,
} from "./runs.js";
export { RUN_STATUSES, isRunFinished } from "./runs.js";
export type {
  CredentialKind,
  RegistryLogin,
  GitLogin,
  ProjectCredentials,
  CredentialSummary,
  CredentialsReader,
  Sealer,
  CredentialBinding,
  CredentialsErrorCode,
  CredentialOwner,
  ServiceAccount,
} from "./credentials/index.js";
export {
  NO_CREDENTIALS,
  createSealer,
  keyMissingError,
  CredentialsError,
  isCredentialKind,
  normaliseTarget,
  ownerKey,
  ownerOfKey,
  describeOwner,
} from "./credentials/index.js";
export type {
  JobMount,
  JobSidecar,
  JobResources,
  JobSpec,
  JobFieldSupport,
  JobSpecSupport,
  JobOutcome,
  JobResult,
  JobRunContext,
  Executor,
} from "./jobs.js";
export { JOB_SPEC_FIELDS } from "./jobs.js";
export type {
  SourceRef,
  Subscription,
  TagPolicy,
  TagOrder,
  EventSubscription,
  ExecutorKind,
  ProjectConfig,
  ServerConfig,
  DeliveryLogConfig,
  KubernetesConfig,
  StoreConfig,
  RegistryAccount,
  AccountCredentials,
  Platform,
} from "./config/types.js";
export { STORE_URL_ENV, storeUrlProblem } from "./config/store.js";
export {
  loadConfig,
  parseConfig,
  defaultDockerSocket,
  parseDuration,
  parseSize,
  RESOURCE_NAME,
  RESOURCE_NAME_RULE,
  parseProjectSpec,
} from "./config/index.js";
export type { ParseConfigOptions } from "./config/index.js";
export { formatPath, type PathSegment } from "./config/locate.js";
export {
  createRedactor,
  redactionTargets,
  redactStrings,
  REDACTED,
  MIN_REDACTED_LENGTH,
  type Redactor,
} from "./redact.js";
export {
  subscriptionAccepts,
  explainSubscription,
  explainProject,
  projectAccepts,
  compileSubscription,
  matchesGlobList,
  acceptsEvent,
  planPush,
  artifactTagKind,
  MAX_TAG,
  compileTagPolicy,
  compareValues,
  expandTemplate,
  javascriptPattern,
  judgeTag,
  policyValue,
} from "./subscriptions/index.js";
export type {
  PushToMatch,
  CompiledSubscription,
  SubscriptionVerdict,
  ProjectVerdict,
  PushPlan,
  CompiledTagPolicy,
  PolicyValue,
  TagJudgement,
} from "./subscriptions/index.js";
export { runsToPrune, type RetentionRule, type RunToRetain } from "./retention.js";
export { secretsEqual } from "./secrets.js";
