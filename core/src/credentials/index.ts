export type {
  CredentialKind,
  RegistryLogin,
  GitLogin,
  ProjectCredentials,
  CredentialSummary,
  CredentialsReader,
} from "./types.js";
export { NO_CREDENTIALS } from "./types.js";
export {
  createSealer,
  keyMissingError,
  CredentialsError,
  MIN_CREDENTIALS_KEY_LENGTH,
  type Sealer,
  type CredentialBinding,
  type CredentialsErrorCode,
} from "./sealer.js";
export { CREDENTIAL_KINDS, isCredentialKind, normaliseTarget } from "./targets.js";
export { readCredentialsKey, CREDENTIALS_KEY_ENV } from "./key.js";
export { ownerKey, ownerOfKey, describeOwner, type CredentialOwner, type ServiceAccount } from "./owner.js";
