/** The `registries` section: watched registries and their accounts, checked against the projects. */
import { resolve } from "node:path";
import type { PathSegment } from "./locate.js";
import type { RawConfig } from "./schema.js";
import type { AccountCredentials, RegistryAccount } from "./types.js";

type Problem = (path: PathSegment[], message: string, expected: string) => void;

/** A tenth of the interval spreads repositories out without delaying a scan much. */
const DEFAULT_JITTER_SHARE = 0.1;

export function resolveRegistries(raw: RawConfig, base: string, problem: Problem): RegistryAccount[] {
  const projects = new Set(raw.projects.map((p) => p.name));
  const names = new Set<string>();
  const accounts = raw.registries.map((r, i): RegistryAccount => {
    if (names.has(r.name))
      problem(["registries", i, "name"], `duplicate registry name "${r.name}"`, "unique names");
    names.add(r.name);
    if (r.login !== undefined && !projects.has(r.login))
      problem(
        ["registries", i, "login"],
        `registry "${r.name}" uses the login of project "${r.login}", which is not configured`,
        "the name of a project whose `bosun login` for this address is used",
      );
    const [os = "", architecture = "", variant] = r.platform.split("/");
    return {
      name: r.name,
      address: r.address,
      repositories: r.repositories ?? [],
      catalog: r.catalog,
      ...credentialsOf(r, base),
      insecure: r.insecure,
      intervalMs: r.interval,
      jitterMs: r.jitter ?? Math.round(r.interval * DEFAULT_JITTER_SHARE),
      platform: variant === undefined ? { os, architecture } : { os, architecture, variant },
    };
  });
  raw.projects.forEach((p, i) =>
    p.subscriptions.forEach((s, j) => {
      if (s.registry === "poll" && accounts.length === 0)
        problem(
          ["projects", i, "subscriptions", j, "registry"],
          `project "${p.name}" subscribes to watched registries, and none is configured`,
          "a registries: entry to watch, or a registry that sends webhooks",
        );
      if (s.verifyWith !== undefined && !names.has(s.verifyWith))
        problem(
          ["projects", i, "subscriptions", j, "verifyWith"],
          `no watched registry is named "${s.verifyWith}" to verify pushes with`,
          `a name from registries (${[...names].join(", ") || "none configured"})`,
        );
      s.accounts.forEach((name, k) => {
        if (!names.has(name))
          problem(
            ["projects", i, "subscriptions", j, "accounts", k],
            `no watched registry is named "${name}"`,
            `a name from registries (${[...names].join(", ") || "none configured"})`,
          );
      });
    }),
  );
  return accounts;
}

function credentialsOf(
  r: RawConfig["registries"][number],
  base: string,
): { credentials?: AccountCredentials } {
  if (r.login !== undefined) return { credentials: { login: r.login } };
  if (r.username === undefined) return {};
  if (r.passwordFile !== undefined)
    return { credentials: { username: r.username, passwordFile: resolve(base, r.passwordFile) } };
  return { credentials: { username: r.username, password: r.password ?? "" } };
}
