/** Where sealed logins are kept. Stores never see a key or a password, only sealed values. */
import type { CredentialKind, CredentialSummary } from "@bosun/core";

/** A stored login: its summary and the sealed password (see Sealer). */
export interface SealedCredential extends CredentialSummary {
  sealed: string;
}

export interface CredentialStore {
  /** Adds or replaces the login for (project, kind, target); durable when it resolves. */
  put(credential: Omit<SealedCredential, "updatedAt">): Promise<CredentialSummary>;
  /** False when there was no such login. */
  remove(project: string, kind: CredentialKind, target: string): Promise<boolean>;
  /** Summaries (never the sealed value), by project, kind and target; all projects without one. */
  list(project?: string): Promise<CredentialSummary[]>;
  /** A project's logins with their sealed values, for the reader to open. */
  sealedFor(project: string): Promise<SealedCredential[]>;
}
