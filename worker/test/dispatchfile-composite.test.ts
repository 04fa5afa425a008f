/** A project with both a script and a Dispatchfile: the script first, then the Dispatchfile. */
import { expect } from "chai";
import type { RunContext, RunOutcome } from "../src/handlers/types.js";
import { ScriptThenDispatchfileHandler } from "../src/handlers/script-then-dispatchfile.js";

function recorded(kind: "script" | "dispatchfile", outcome: RunOutcome, calls: string[]) {
  return { kind, handle: async () => (calls.push(kind), outcome) };
}

describe("script then Dispatchfile handler", function () {
  const context = (lines: string[]) =>
    ({ signal: new AbortController().signal, log: (t: string) => lines.push(t) }) as unknown as RunContext;

  it("runs the script, then the Dispatchfile, and reports the Dispatchfile's outcome", async () => {
    const calls: string[] = [];
    const failed: RunOutcome = { status: "failed", error: { code: "JOB_FAILED", message: "task t failed" } };
    const handler = new ScriptThenDispatchfileHandler(
      recorded("script", { status: "succeeded" }, calls),
      recorded("dispatchfile", failed, calls),
    );
    expect(handler.kind).to.equal("script");
    expect(await handler.handle(context([]))).to.deep.equal(failed);
    expect(calls).to.deep.equal(["script", "dispatchfile"]);
  });

  it("does not run the Dispatchfile when the script did not succeed, and says so", async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const failed: RunOutcome = { status: "failed", error: { code: "SCRIPT_FAILED", message: "boom" } };
    const handler = new ScriptThenDispatchfileHandler(
      recorded("script", failed, calls),
      recorded("dispatchfile", { status: "succeeded" }, calls),
    );
    expect(await handler.handle(context(lines))).to.deep.equal(failed);
    expect(calls).to.deep.equal(["script"]);
    expect(lines.join("")).to.contain("the Dispatchfile is not run");
  });
});
