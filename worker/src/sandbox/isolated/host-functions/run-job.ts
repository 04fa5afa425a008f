/** runJob(callId, requestJson): starts a job; its reply is delivered to the isolate when it ends. */
import { isErrorCode, type JobResult, type JobSpec } from "@bosun/core";
import type { JobReply, JobResultData } from "@bosun/sdk";
import type { ScriptJobRunner } from "../types.js";
import { parseJobRequest } from "./job-request.js";
import { isId, refuse } from "./refuse.js";
import { errorForScript } from "./script-error.js";

export interface RunJobContext {
  runJob: ScriptJobRunner;
  signal: AbortSignal;
  maxJobs: number;
  /** Hands the reply to the isolate (queued behind other calls into it). */
  deliver(callId: number, replyJson: string): void;
  /** Keeps count of jobs in flight; settles when the job's reply has been handed over. */
  track(work: Promise<void>): void;
}

export function createRunJob(
  ctx: RunJobContext,
): (callId: unknown, requestJson: unknown) => string | undefined {
  const names = new Map<string, number>();
  let started = 0;
  return (callId, requestJson) => {
    if (!isId(callId)) return refuse("runJob: the call id must be a positive integer");
    const parsed = parseJobRequest(requestJson);
    if (parsed.errors) return refuse(parsed.errors[0]!.message);
    if (started >= ctx.maxJobs) return refuse(`a script may start at most ${ctx.maxJobs} jobs in one run`);
    started++;
    const spec = withUniqueName(parsed.value, names);
    ctx.track(run(ctx, spec).then((reply) => ctx.deliver(callId, JSON.stringify(reply))));
    return undefined;
  };
}

/** Job names are unique within a run (they name containers); a job run twice gets "-2", "-3", ... */
function withUniqueName(spec: JobSpec, names: Map<string, number>): JobSpec {
  const seen = (names.get(spec.name) ?? 0) + 1;
  names.set(spec.name, seen);
  return seen === 1 ? spec : { ...spec, name: `${spec.name}-${seen}` };
}

async function run(ctx: RunJobContext, spec: JobSpec): Promise<JobReply> {
  try {
    return { ok: true, result: toData(spec, await ctx.runJob(spec, ctx.signal)) };
  } catch (err) {
    // Only a registry code reaches the script; a foreign one (ENOENT, say) is a failure of Bosun's.
    const given = (err as { code?: unknown } | null)?.code;
    const code = isErrorCode(given) ? given : "INTERNAL";
    const message = `the job could not be run: ${(err as Error).message ?? String(err)}`;
    return { ok: false, error: errorForScript({ code, message }, spec.image) };
  }
}

function toData({ name, image }: JobSpec, result: JobResult): JobResultData {
  const data: JobResultData = {
    name,
    outcome: result.outcome,
    output: result.output,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
  };
  if (result.exitCode !== undefined) data.exitCode = result.exitCode;
  if (result.error) data.error = errorForScript(result.error, image);
  return data;
}
