/** What every executor sets up as a job begins: its start time, its redacted and capped output, its stopper. */
import type { JobRunContext, JobSpec } from "@bosun/core";
import { JobOutput } from "./job-output.js";
import { JobStopper } from "./job-stopper.js";

export interface JobStart {
  startedAt: string;
  /** Values redacted from the output and from error messages. */
  secrets: readonly string[];
  output: JobOutput;
  stopper: JobStopper;
}

/** `timeoutMs` defaults to the spec's; Kubernetes passes its deadline plus a grace period. */
export function startJob(
  spec: JobSpec,
  context: JobRunContext,
  maxOutputChars: number | undefined,
  timeoutMs = spec.timeoutMs,
): JobStart {
  const secrets = spec.secretValues ?? [];
  return {
    startedAt: new Date().toISOString(),
    secrets,
    output: new JobOutput({ secrets, maxChars: maxOutputChars, onOutput: context.onOutput }),
    stopper: new JobStopper(context.signal, timeoutMs),
  };
}
