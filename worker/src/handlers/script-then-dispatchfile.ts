/**
 * A project with both a script and a Dispatchfile: the script runs first, then, when it succeeded,
 * the Dispatchfile, in the same run (recorded with handler "script"). A script that does not succeed
 * ends the run with its own outcome.
 */
import type { EventHandler, RunContext, RunOutcome } from "./types.js";

export class ScriptThenDispatchfileHandler implements EventHandler {
  readonly kind = "script" as const;

  constructor(
    private readonly script: EventHandler,
    private readonly dispatchfile: EventHandler,
  ) {}

  async handle(context: RunContext): Promise<RunOutcome> {
    const first = await this.script.handle(context);
    if (first.status !== "succeeded") {
      context.log(`the script did not succeed (${first.status}): the Dispatchfile is not run\n`);
      return first;
    }
    if (context.signal.aborted) return { status: "cancelled" };
    return this.dispatchfile.handle(context);
  }
}
