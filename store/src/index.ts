export type {
  EventState,
  StoredEvent,
  AcceptResult,
  DeclinedPush,
  Claim,
  ClaimOptions,
  EventQuery,
  RunQuery,
  EventFilters,
  RunRefusal,
  QueueDepth,
  LogQuery,
  Store,
  StoredProject,
  ProjectWrite,
  Delivery,
  DeliveryIgnored,
  DeliveryImage,
  DeliveryOutcome,
  DeliveryQuery,
  NewDelivery,
} from "./types.js";
export { cancelledError } from "./run-requests.js";
export { openSqliteStore } from "./sqlite/index.js";
export { openSqliteStoreReopening } from "./sqlite/reopening.js";
export { openPostgresStoreReopening } from "./postgres/reopening.js";
export type { SqliteStoreOptions, SqliteStoreWithCredentials } from "./sqlite/index.js";
export type { CredentialStore, SealedCredential } from "./credentials/store.js";
export { createCredentialsReader, putLogin, type NewLogin } from "./credentials/reader.js";
export { openPostgresStore, describeServer } from "./postgres/index.js";
export type { PostgresStoreOptions, PostgresStoreWithCredentials } from "./postgres/index.js";
export type { WatchStore, WatchedRepository, WatchSummary } from "./watches.js";
export type { WebhookStore, WebhookRecord } from "./webhooks.js";
