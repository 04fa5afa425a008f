export { RegistryClient, nextPage, type RegistryClientOptions, type TagDigest } from "./client/client.js";
export { RequestGate, retryAfterMs, type GateOptions } from "./client/gate.js";
export { parseChallenges, type Challenge } from "./client/challenge.js";
export { RegistryError } from "./client/errors.js";
export type { Login, LoginSource } from "./client/auth.js";
export { MANIFEST_ACCEPT, platformEntry } from "./client/manifests.js";
export {
  Poller,
  type PollerOptions,
  type PollOutcome,
  type PollSelection,
  type ScanFailure,
} from "./poller/poller.js";
export { scanRepository, type ScanResult, type ScanContext } from "./poller/scan.js";
export { eventsOfScan, pollDeliveryId } from "./poller/events.js";
export {
  fireEveryChange,
  isArtifactTag,
  type TagChange,
  type TagDecider,
  type DecideContext,
} from "./poller/tags.js";
export { loginSource } from "./poller/logins.js";
export { RegistryPushVerifier } from "./verify/push-verifier.js";
export { clientsOf, type ClientsOptions } from "./client/clients.js";
