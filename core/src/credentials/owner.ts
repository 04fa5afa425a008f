/**
 * A login belongs to a project or to a service account (`bosun serviceaccount`). Stores key both by
 * one owner string: a project's name, or `serviceaccount/<name>`. Names cannot hold a `/`, so the two
 * never collide, and a login sealed for one owner never opens for another.
 */
export type CredentialOwner = { project: string } | { serviceAccount: string };

const SERVICE_ACCOUNT_PREFIX = "serviceaccount/";

export function ownerKey(owner: CredentialOwner): string {
  return "project" in owner ? owner.project : SERVICE_ACCOUNT_PREFIX + owner.serviceAccount;
}

export function ownerOfKey(key: string): CredentialOwner {
  return key.startsWith(SERVICE_ACCOUNT_PREFIX)
    ? { serviceAccount: key.slice(SERVICE_ACCOUNT_PREFIX.length) }
    : { project: key };
}

/** A named owner of logins that projects share by naming it (`serviceAccount` in a project). */
export interface ServiceAccount {
  name: string;
  createdAt: string;
}

/** "project p" or "service account a", for messages. */
export function describeOwner(owner: CredentialOwner): string {
  return "project" in owner ? `project ${owner.project}` : `service account ${owner.serviceAccount}`;
}
