/**
 * What changed between the running config and a newly read one: projects by name (and which of their
 * keys, never their values), and the settings only a restart applies.
 */
import { isDeepStrictEqual } from "node:util";
import type { ProjectConfig, ServerConfig } from "@bosun/core";

export interface ProjectChange {
  name: string;
  /** The keys whose values differ, e.g. ["webhookToken", "concurrency"]. */
  keys: string[];
}

export interface ConfigDiff {
  added: string[];
  changed: ProjectChange[];
  removed: string[];
  /** Settings (as bosun.yaml names them) that differ but are read only at start. */
  needsRestart: string[];
}

/** Every setting but the projects, by its name in bosun.yaml: typed so that a new setting must be listed. */
const RESTART_SETTINGS: Record<Exclude<keyof ServerConfig, "projects" | "file">, string> = {
  port: "server.port",
  host: "server.host",
  dataDir: "server.dataDir",
  adminToken: "server.adminToken",
  readOnlyTokens: "server.readOnlyTokens",
  bodyLimitBytes: "server.bodyLimit",
  maxEventsPerRequest: "server.maxEventsPerRequest",
  digestHoldMs: "server.digestHold",
  headersTimeoutMs: "server.headersTimeout",
  requestTimeoutMs: "server.requestTimeout",
  deliveries: "server.deliveries",
  pubsubJwksUrl: "server.pubsubJwksUrl",
  publicUrl: "server.publicUrl",
  docker: "docker",
  jobs: "jobs",
  worker: "worker",
  sandbox: "sandbox",
  kubernetes: "kubernetes",
  credentialsKey: "credentials",
  store: "store",
  registries: "registries",
};

/** The settings that only a restart applies, for the docs and the log. */
export const SETTINGS_NEEDING_RESTART: readonly string[] = [...new Set(Object.values(RESTART_SETTINGS))];

export function diffConfig(running: ServerConfig, next: ServerConfig): ConfigDiff {
  const before = new Map(running.projects.map((p) => [p.name, p]));
  const after = new Map(next.projects.map((p) => [p.name, p]));
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  const changed: ProjectChange[] = [];
  for (const [name, project] of after) {
    const old = before.get(name);
    if (!old) continue;
    const keys = changedKeys(old, project);
    if (keys.length > 0) changed.push({ name, keys });
  }
  const needsRestart = (Object.keys(RESTART_SETTINGS) as (keyof typeof RESTART_SETTINGS)[])
    .filter((key) => !isDeepStrictEqual(running[key], next[key]))
    .map((key) => RESTART_SETTINGS[key]);
  return { added, changed, removed, needsRestart: [...new Set(needsRestart)] };
}

export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length + diff.needsRestart.length === 0;
}

function changedKeys(a: ProjectConfig, b: ProjectConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof ProjectConfig)[]);
  return [...keys].filter((key) => !isDeepStrictEqual(a[key], b[key])).sort();
}

/**
 * The next projects, keeping the running object of every project that did not change, so that what is
 * derived from it (compiled subscriptions) is kept too.
 */
export function nextProjects(
  running: ReadonlyMap<string, ProjectConfig>,
  next: readonly ProjectConfig[],
): Map<string, ProjectConfig> {
  return new Map(
    next.map((project) => {
      const old = running.get(project.name);
      return [project.name, old && isDeepStrictEqual(old, project) ? old : project];
    }),
  );
}
