/**
 * A retry's jobs: one that succeeded in the retried run, asked for again with the same spec, is not
 * run; it is recorded as reused, with the earlier outcome and a reference to the job that ran (whose
 * logs are its logs), and the script gets the earlier output.
 */
import type { JobRecord, JobResult, JobSpec, Run } from "@bosun/core";
import type { Store } from "@bosun/store";
import type { LogWriter } from "./log-writer.js";

/** The jobs of `runId` a retry may reuse, by name: those that succeeded and whose spec hash is known. */
export async function reusableJobs(store: Store, runId: string): Promise<Map<string, JobRecord>> {
  const jobs = await store.listJobs(runId);
  return new Map(
    jobs.filter((j) => j.status === "succeeded" && j.specHash !== undefined).map((j) => [j.name, j]),
  );
}

export async function reuseJob(input: {
  store: Store;
  run: Run;
  logs: LogWriter;
  spec: JobSpec;
  specHash: string;
  earlier: JobRecord;
}): Promise<JobResult> {
  const { store, run, logs, spec, specHash, earlier } = input;
  // A job reused by a retry of a retry still points at the job that ran.
  const origin = earlier.reusedFrom ?? { runId: earlier.runId, jobId: earlier.id };
  const startedAt = earlier.startedAt ?? earlier.createdAt;
  const finishedAt = earlier.finishedAt ?? startedAt;
  await store.createJob({
    runId: run.id,
    name: spec.name,
    image: spec.image,
    status: "succeeded",
    tasks: spec.tasks,
    envNames: Object.keys(spec.env),
    specHash,
    reusedFrom: origin,
    ...(earlier.exitCode !== undefined ? { exitCode: earlier.exitCode } : {}),
    startedAt,
    finishedAt,
  });
  logs.write({
    runId: run.id,
    stream: "script",
    text: `job "${spec.name}" reused from run ${origin.runId}: it succeeded there with the same spec\n`,
  });
  const entries = await store.readLogs({ runId: origin.runId, jobId: origin.jobId });
  const output = entries
    .filter((e) => e.stream !== "script")
    .map((e) => e.text)
    .join("");
  return {
    outcome: "succeeded",
    output,
    startedAt,
    finishedAt,
    ...(earlier.exitCode !== undefined ? { exitCode: earlier.exitCode } : {}),
  };
}
