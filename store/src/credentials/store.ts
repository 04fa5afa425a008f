/** Where sealed logins are kept. Stores never see a key or a password, only sealed values. */
import type { CredentialKind, CredentialSummary, ServiceAccount } from "@bosun/core";

/** A stored login: its summary and the sealed password (see Sealer). */
export interface SealedCredential extends CredentialSummary {
  sealed: string;
}

/**
 * Logins are keyed by their owner (`ownerKey`): a project's name, or a service account's key; `project`
 * below is that key.
 */
export interface CredentialStore {
  /** Adds or replaces the login for (project, kind, target); durable when it resolves. */
  put(credential: Omit<SealedCredential, "updatedAt">): Promise<CredentialSummary>;
  /** False when there was no such login. */
  remove(project: string, kind: CredentialKind, target: string): Promise<boolean>;
  /** Summaries (never the sealed value), by project, kind and target; all projects without one. */
  list(project?: string): Promise<CredentialSummary[]>;
  /** A project's logins with their sealed values, for the reader to open. */
  sealedFor(project: string): Promise<SealedCredential[]>;

  /** Undefined when one of that name exists already. */
  createServiceAccount(name: string): Promise<ServiceAccount | undefined>;
  /** By name. */
  listServiceAccounts(): Promise<ServiceAccount[]>;
  /** Removes the account and its logins together; false when there was no such account. */
  removeServiceAccount(name: string): Promise<boolean>;
}
