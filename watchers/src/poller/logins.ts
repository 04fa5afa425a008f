/** Where an account's login comes from: bosun.yaml, a password file read at each login, or a stored login. */
import { readFile } from "node:fs/promises";
import { BosunError, normaliseTarget, type CredentialsReader, type RegistryAccount } from "@bosun/core";
import type { LoginSource } from "../client/auth.js";

export function loginSource(account: RegistryAccount, credentialsFor?: CredentialsReader): LoginSource {
  const c = account.credentials;
  if (c === undefined) return async () => undefined;
  if ("password" in c) return async () => ({ username: c.username, password: c.password });
  if ("passwordFile" in c)
    return async () => {
      try {
        const password = (await readFile(c.passwordFile, "utf8")).replace(/\r?\n$/, "");
        return { username: c.username, password };
      } catch (err) {
        throw new BosunError(
          "REGISTRY_LOGIN_FAILED",
          `registry "${account.name}": cannot read its password file ${c.passwordFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
    };
  return async () => {
    const logins = credentialsFor ? (await credentialsFor(c.login)).docker : [];
    const target = normaliseTarget("docker", account.address);
    const login = logins.find((l) => l.registry === target);
    if (!login)
      throw new BosunError(
        "REGISTRY_LOGIN_FAILED",
        `registry "${account.name}": project "${c.login}" has no stored login for ${account.address} (bosun login docker --registry ${account.address} --project ${c.login})`,
      );
    return { username: login.username, password: login.password };
  };
}
