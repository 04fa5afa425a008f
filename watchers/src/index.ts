export { RegistryClient, nextPage, type RegistryClientOptions, type TagDigest } from "./client/client.js";
export { RequestGate, retryAfterMs, type GateOptions } from "./client/gate.js";
export { parseChallenges, type Challenge } from "./client/challenge.js";
export { RegistryError } from "./client/errors.js";
export type { Login, LoginSource } from "./client/auth.js";
export { MANIFEST_ACCEPT, platformEntry } from "./client/manifests.js";
