/**
 * Applies each project's log retention rules: at start, then every hour. Prunes deliveries past the
 * delivery log's age every few minutes (its count is bounded as deliveries are recorded).
 */
import { runsToPrune, type DeliveryLogConfig, type ProjectConfig } from "@bosun/core";
import { type Store } from "@bosun/store";
import type { Logger } from "./logger.js";

const EVERY_MS = 3_600_000;
/** Runs looked at per project and pass; older ones are reached on later passes as these go. */
const WINDOW = 5_000;

/** Prunes what the rules say, project by project; returns how many runs went. */
export async function pruneRuns(
  store: Store,
  projects: readonly ProjectConfig[],
  now = Date.now(),
): Promise<number> {
  let pruned = 0;
  for (const project of projects) {
    const rules = project.logRetention ?? [];
    if (rules.length === 0) continue;
    const runs = await store.listRuns({ project: project.name, limit: WINDOW });
    const withJobs = await Promise.all(
      runs.map(async (r) => ({ ...r, jobNames: (await store.listJobs(r.id)).map((j) => j.name) })),
    );
    const ids = runsToPrune(withJobs, rules, now);
    if (ids.length > 0) pruned += await store.deleteRuns(ids);
  }
  return pruned;
}

export function startRetention(
  store: Store,
  projects: () => readonly ProjectConfig[],
  logger?: Logger,
): NodeJS.Timeout {
  const pass = () =>
    pruneRuns(store, projects()).then(
      (n) => n > 0 && logger?.info({ pruned: n }, "pruned runs past their projects' log retention"),
      (err: Error) => logger?.warn({ error: err.message }, "log retention pass failed"),
    );
  void pass();
  return setInterval(pass, EVERY_MS).unref();
}

const DELIVERIES_EVERY_MS = 300_000;

export function startDeliveryPruning(store: Store, log: DeliveryLogConfig, logger?: Logger): NodeJS.Timeout {
  const pass = () =>
    store.pruneDeliveries(new Date(Date.now() - log.maxAgeMs).toISOString()).then(
      (n) => n > 0 && logger?.debug({ pruned: n }, "pruned deliveries past server.deliveries.maxAge"),
      (err: Error) => logger?.warn({ error: err.message }, "pruning old deliveries failed"),
    );
  void pass();
  return setInterval(pass, DELIVERIES_EVERY_MS).unref();
}
