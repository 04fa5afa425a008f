/**
 * Log retention, as Dispatch's `logRetention` rules: each finished run is governed by the first rule
 * whose `tasks` glob matches one of its jobs ("*" also takes runs without jobs). Among the runs a rule
 * governs, those older than `maxBuildAge` days, or past the `maxBuildRuns` newest, are pruned.
 */
import { minimatch } from "minimatch";
import type { RunStatus } from "./runs.js";

export interface RetentionRule {
  /** Days a finished run is kept. */
  maxBuildAge?: number;
  /** Finished runs kept, newest first. */
  maxBuildRuns?: number;
  /** Glob over job (task) names. */
  tasks: string;
}

export interface RunToRetain {
  id: string;
  status: RunStatus;
  createdAt: string;
  jobNames: readonly string[];
}

const DAY_MS = 86_400_000;

/** Ids of the runs to prune. `runs` newest first; running runs are never pruned. */
export function runsToPrune(
  runs: readonly RunToRetain[],
  rules: readonly RetentionRule[],
  now = Date.now(),
): string[] {
  const kept = new Map<RetentionRule, number>();
  const prune: string[] = [];
  for (const run of runs) {
    if (run.status === "running") continue;
    const rule = rules.find((r) => r.tasks === "*" || run.jobNames.some((name) => minimatch(name, r.tasks)));
    if (!rule) continue;
    const tooOld =
      rule.maxBuildAge !== undefined && now - Date.parse(run.createdAt) > rule.maxBuildAge * DAY_MS;
    const count = kept.get(rule) ?? 0;
    const tooMany = rule.maxBuildRuns !== undefined && count >= rule.maxBuildRuns;
    if (tooOld || tooMany) prune.push(run.id);
    else kept.set(rule, count + 1);
  }
  return prune;
}
