/**
 * One push through the worker's own path: the event accepted by the real store, claimed, and run by
 * processClaim with the dependencies a test gives, as the consumer runs a claimed event.
 */
import { randomBytes } from "node:crypto";
import type { ProjectConfig, Run } from "@bosun/core";
import type { Store } from "@bosun/store";
import { processClaim, type RunDependencies } from "../../src/consumer/process-claim.js";

/** A project with the defaults of a config file that names only what the test is about. */
export function testProject(fields: Pick<ProjectConfig, "name"> & Partial<ProjectConfig>): ProjectConfig {
  return {
    secrets: {},
    subscriptions: [],
    executor: "docker",
    concurrency: 1,
    timeouts: { scriptMs: 60_000, jobMs: 60_000 },
    allowPrivileged: false,
    ...fields,
  };
}

export interface PushedRun {
  run: Run;
  /** The run's whole log, script and jobs, as stored. */
  log: string;
}

/** Pushes `registry.example.com/team/app:<tag>` for the project and runs it to its end. */
export async function runPush(
  store: Store,
  project: ProjectConfig,
  deps: Omit<RunDependencies, "store" | "findProject">,
  tag = "v1",
): Promise<PushedRun> {
  const ref = `registry.example.com/team/app:${tag}`;
  await store.acceptEvents([
    {
      project: project.name,
      source: "distribution",
      type: "image_push",
      image: { registry: "registry.example.com", repository: "team/app", tag, digest: "sha256:abc", ref },
      payload: "{}",
      deliveryId: `d-${randomBytes(6).toString("hex")}`,
    },
  ]);
  const claim = await store.claimEvent({ owner: "test", leaseMs: 60_000 });
  if (!claim) throw new Error(`the push of ${ref} was accepted but could not be claimed`);
  const run = await processClaim(
    claim,
    { ...deps, store, findProject: () => project },
    new AbortController().signal,
  );
  const log = (await store.readLogs({ runId: run.id })).map((l) => l.text).join("");
  return { run, log };
}
