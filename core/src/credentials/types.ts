/**
 * Registry and git credentials a project logs in with (`bosun login`). Stored sealed (encrypted with
 * the operator's key); these decrypted shapes exist only in the worker, on their way to a pull or a clone.
 */

export type CredentialKind = "docker" | "git";

/** A registry login, as `docker login` would hold it. `registry` is host[:port] as in image references ("docker.io" for Docker Hub). */
export interface RegistryLogin {
  registry: string;
  username: string;
  password: string;
}

/** A git login for https clones of `host` (host[:port]). */
export interface GitLogin {
  host: string;
  username: string;
  password: string;
}

/** Everything a project has logged in to, decrypted. */
export interface ProjectCredentials {
  docker: RegistryLogin[];
  git: GitLogin[];
}

/** What listings show: never the password. */
export interface CredentialSummary {
  /** The owner key (`ownerKey`): a project's name, or `serviceaccount/<name>`. */
  project: string;
  kind: CredentialKind;
  /** Registry (docker) or host (git). */
  target: string;
  username: string;
  updatedAt: string;
}

/** The worker's only view of credentials: a project's logins, decrypted. */
export type CredentialsReader = (project: string) => Promise<ProjectCredentials>;

export const NO_CREDENTIALS: ProjectCredentials = Object.freeze({
  docker: [],
  git: [],
}) as ProjectCredentials;
