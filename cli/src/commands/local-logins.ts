/**
 * The registry logins of this machine's own tools, for `bosun script run`: a local run pulls what its
 * user can pull after `podman login` or `docker login`. (A server's projects use `bosun login`.)
 *
 * The files are read in Podman's order: $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * ~/.config/containers/auth.json, then Docker's $DOCKER_CONFIG/config.json or ~/.docker/config.json;
 * the first file with a login for the registry wins. Only logins kept in the file itself ("auth",
 * base64 of user:password) are used: credential helpers (credsStore, credHelpers) are programs of
 * their own and are not run.
 */
import { normaliseTarget } from "@bosun/core";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface LocalLogin {
  username: string;
  password: string;
}

export interface LocalLogins {
  /** The login for a registry host (as image references name it: "docker.io", "ghcr.io", "host:5000"). */
  (registry: string): LocalLogin | undefined;
  /** Files that exist but could not be read as an auth file, with the reason: worth a warning. */
  readonly unreadable: string[];
}

type Env = Record<string, string | undefined>;

export function authFiles(env: Env = process.env, home = homedir()): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  files.push(join(home, ".config", "containers", "auth.json"));
  files.push(join(env.DOCKER_CONFIG ?? join(home, ".docker"), "config.json"));
  return files;
}

export function localRegistryLogins(files: string[] = authFiles()): LocalLogins {
  const unreadable: string[] = [];
  const maps = files.map((file) => readAuthFile(file, unreadable));
  const find = (registry: string): LocalLogin | undefined => {
    const wanted = normaliseTarget("docker", registry);
    for (const logins of maps) {
      const login = wanted === undefined ? undefined : logins.get(wanted);
      if (login) return login;
    }
    return undefined;
  };
  return Object.assign(find, { unreadable });
}

/** host → login, from one auth file; a missing file is empty, a broken one is noted and empty. */
function readAuthFile(file: string, unreadable: string[]): Map<string, LocalLogin> {
  const logins = new Map<string, LocalLogin>();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return logins;
  }
  let auths: unknown;
  try {
    auths = (JSON.parse(text) as { auths?: unknown }).auths;
  } catch (err) {
    unreadable.push(`${file}: not JSON (${(err as Error).message})`);
    return logins;
  }
  if (auths === undefined) return logins;
  if (typeof auths !== "object" || auths === null || Array.isArray(auths)) {
    unreadable.push(`${file}: "auths" is not an object`);
    return logins;
  }
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const host = normaliseTarget("docker", key);
    const login = host ? decodeAuth(entry) : undefined;
    if (host && login && !logins.has(host)) logins.set(host, login);
  }
  return logins;
}

function decodeAuth(entry: unknown): LocalLogin | undefined {
  const auth = (entry as { auth?: unknown } | null)?.auth;
  if (typeof auth !== "string" || auth === "") return undefined;
  const plain = Buffer.from(auth, "base64").toString("utf8");
  const colon = plain.indexOf(":");
  if (colon < 1) return undefined;
  return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
}
