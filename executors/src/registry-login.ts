/**
 * Which of a project's registry logins (`bosun login docker`) goes with an image, and the
 * `.dockerconfigjson` form of it that Kubernetes reads from an imagePullSecret.
 */
import { normaliseTarget, type RegistryLogin } from "@bosun/core";

/** host[:port], lower case; Docker Hub's several names ("index.docker.io", ...) are "docker.io". */
export function registryKey(registry: string): string {
  return normaliseTarget("docker", registry) ?? registry.trim().toLowerCase();
}

/** The login for an image's registry (as `parseImageRef` names it); Docker Hub's names count as one. */
export function loginFor(
  logins: readonly RegistryLogin[] | undefined,
  registry: string,
): RegistryLogin | undefined {
  if (!logins?.length) return undefined;
  const wanted = registryKey(registry);
  return logins.find((login) => registryKey(login.registry) === wanted);
}

/** Where `docker login` files Docker Hub's login, and where the kubelet looks for it. */
export const DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/";

/** `{"auths": {...}}` as `docker login` writes it (~/.docker/config.json), for the given logins. */
export function dockerConfigJson(logins: readonly RegistryLogin[]): string {
  const auths: Record<string, { username: string; password: string; auth: string }> = {};
  for (const { registry, username, password } of logins) {
    const key = registryKey(registry) === "docker.io" ? DOCKER_HUB_CONFIG_KEY : registryKey(registry);
    auths[key] ??= {
      username,
      password,
      auth: Buffer.from(`${username}:${password}`, "utf8").toString("base64"),
    };
  }
  return JSON.stringify({ auths });
}

/** What registries (Distribution, Docker Hub), engines and the kubelet say when a login is missing or refused. */
export const PULL_AUTH_REFUSED =
  /unauthori[sz]ed|authentication required|authorization failed|require authorization|access[ _]denied|denied:|requested access to the resource is denied|incorrect username or password|no basic auth credentials|\b401\b|\b403\b/i;

/** A refused pull: which registry, whose login (if any), and the `bosun login docker` command to run. */
export function pullRefusedMessage(pull: {
  image: string;
  registry: string;
  /** The project's login that was sent, if any. */
  login: RegistryLogin | undefined;
  /** Credentials of the executor's own were sent instead. */
  executorLogin?: boolean;
  project: string | undefined;
  /** What the engine or the kubelet said (already without secrets). */
  detail: string;
  /** What to do instead of `bosun login` (where the logins come from elsewhere, as in `bosun script run`). */
  advice?: string;
}): string {
  const project = pull.project || "PROJECT";
  const command = `bosun login docker --project ${project} --registry ${pull.registry} --username USER --password-stdin`;
  const todo = pull.advice ?? `run \`${command}\` (the password on standard input) and try again`;
  const why = pull.login
    ? `registry ${pull.registry} refused the login of user "${pull.login.username}" that project "${project}" has for it`
    : pull.executorLogin
      ? `registry ${pull.registry} refused the worker's credentials for it`
      : `registry ${pull.registry} wants a login, and project "${project}" has none for it`;
  return `cannot pull ${pull.image}: ${why}; ${todo}. ` + `The registry said: ${pull.detail}`;
}
