/**
 * The runs of one event, in rounds: the first claim starts one, and so does each rerun or retry
 * (`Store.requestRun`), whose run is queued with the event. A claim of an event settles the current
 * round before running it: an outcome already recorded is kept, a run left running by a worker that
 * died is abandoned (and its rerun or retry carried on by the next run), a queued run is taken over.
 */
import type { NewRun, Run } from "@bosun/core";
import { cancelledError, type Store } from "@bosun/store";

/** The abort reason of a run whose cancel a user asked for, as opposed to a worker stopping. */
export class CancelRequested {
  constructor(readonly by: string) {}
}

/** How the run of a claim begins: a queued run to take over, or what a new one carries on. */
export interface RoundStart {
  queued?: Run;
  carried?: Pick<NewRun, "rerunOf" | "retryOf" | "requestedBy">;
}

/** A run that ended by itself is the event's outcome; a cancelled or abandoned one is run again. */
const FINAL_OUTCOMES: ReadonlySet<Run["status"]> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "out_of_memory",
]);

/** Final, or cancelled on request: then not run again either. */
const isOutcome = (run: Run) =>
  FINAL_OUTCOMES.has(run.status) || (run.status === "cancelled" && run.cancelRequestedBy !== undefined);

/**
 * Before an event is run again: an earlier attempt of the round that reached its outcome is the
 * event's run (its worker died after recording it but before finishing the event), so it is not run
 * twice; runs still "running" belonged to a worker that died or lost its lease, and are recorded as
 * abandoned, or cancelled when a cancel was asked for.
 */
export async function settleEarlierRuns(
  store: Store,
  eventId: string,
): Promise<{ outcome: Run } | RoundStart> {
  const round = currentRound(await store.listRuns({ eventId, limit: 1000 }));
  const queued = round.find((r) => r.status === "queued");
  if (queued) return { queued };
  const finished = round.find(isOutcome);
  if (finished) return { outcome: finished };
  for (const run of round) {
    if (run.status !== "running") continue;
    if (run.cancelRequestedBy !== undefined) {
      const error = cancelledError(run.cancelRequestedBy);
      await store.finishRun(run.id, "cancelled", error);
      return { outcome: { ...run, status: "cancelled", error } };
    }
    await store.finishRun(run.id, "abandoned", {
      code: "INTERNAL",
      message: "the worker running this died or lost its lease; the event was run again",
    });
  }
  const first = round.at(-1);
  if (!first || (first.rerunOf === undefined && first.retryOf === undefined)) return {};
  const { rerunOf, retryOf, requestedBy } = first;
  return { carried: { rerunOf, retryOf, requestedBy } };
}

/** Newest first, up to the run that began the round: the newest rerun or retry, else every run. */
function currentRound(runs: readonly Run[]): readonly Run[] {
  const start = runs.findIndex((r) => r.rerunOf !== undefined || r.retryOf !== undefined);
  return start < 0 ? runs : runs.slice(0, start + 1);
}

/** The claim's run: the queued one taken over (unless it was cancelled meanwhile), or a new one. */
export async function beginRun(
  store: Store,
  round: RoundStart,
  run: NewRun,
): Promise<{ run: Run } | { cancelled: Run }> {
  if (round.queued) {
    const started = await store.startRun(round.queued.id, run.attempt, run.handler);
    if (started) return { run: started };
    const now = await store.getRun(round.queued.id);
    return { cancelled: now ?? round.queued };
  }
  const carried = Object.fromEntries(Object.entries(round.carried ?? {}).filter(([, v]) => v !== undefined));
  return { run: await store.createRun({ ...run, ...carried }) };
}
