/** Puts logins in (sealed) and gets a project's logins out (opened): the two uses of the key. */
import {
  CredentialsError,
  keyMissingError,
  ownerKey,
  type Sealer,
  type CredentialKind,
  type CredentialSummary,
  type CredentialsReader,
  type ProjectCredentials,
} from "@bosun/core";
import type { CredentialStore } from "./store.js";

/** A login as `bosun login` sends it; `target` already normalised (normaliseTarget). */
export interface NewLogin {
  project: string;
  kind: CredentialKind;
  target: string;
  username: string;
  password: string;
}

/** Seals the password and stores the login; without a key it throws CREDENTIALS_KEY_MISSING. */
export async function putLogin(
  store: CredentialStore,
  sealer: Sealer | undefined,
  login: NewLogin,
): Promise<CredentialSummary> {
  if (!sealer) throw keyMissingError("storing a login");
  const { password, ...summary } = login;
  return store.put({ ...summary, sealed: await sealer.seal(summary, password) });
}

/**
 * A project's logins, opened: its service account's (`serviceAccountOf`) and its own, its own taking
 * the place of the account's for the same registry or host. A project with none needs no key; one
 * whose logins cannot be opened (no key, another key), or whose service account does not exist, fails
 * with a CredentialsError rather than pulling or cloning anonymously.
 */
export function createCredentialsReader(
  store: CredentialStore,
  sealer: Sealer | undefined,
  serviceAccountOf: (project: string) => string | undefined = () => undefined,
): CredentialsReader {
  return async (project) => {
    const account = serviceAccountOf(project);
    const own = await store.sealedFor(project);
    const shared = account === undefined ? [] : await accountLogins(store, project, account);
    const records = [
      ...shared.filter((s) => !own.some((o) => o.kind === s.kind && o.target === s.target)),
      ...own,
    ];
    const out: ProjectCredentials = { docker: [], git: [] };
    if (records.length === 0) return out;
    if (!sealer) throw keyMissingError(`reading the logins of project "${project}"`);
    for (const r of records) {
      const password = await sealer.open(r, r.sealed);
      if (r.kind === "docker") out.docker.push({ registry: r.target, username: r.username, password });
      else out.git.push({ host: r.target, username: r.username, password });
    }
    return out;
  };
}

async function accountLogins(store: CredentialStore, project: string, account: string) {
  if (!(await store.listServiceAccounts()).some((a) => a.name === account)) {
    throw new CredentialsError(
      "CREDENTIALS_SERVICE_ACCOUNT_NOT_FOUND",
      `project "${project}" names service account "${account}", which does not exist: create it with ` +
        `\`bosun serviceaccount create ${account}\` (and its logins with \`bosun login ... --service-account ` +
        `${account}\`), or change the project's serviceAccount`,
    );
  }
  return store.sealedFor(ownerKey({ serviceAccount: account }));
}
