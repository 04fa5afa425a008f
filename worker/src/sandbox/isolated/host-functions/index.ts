/** The host functions a script's isolate gets, and nothing else. */
import ivm from "isolated-vm";
import { HOST_GLOBAL, type RawHost } from "../protocol.js";
import { refuse } from "./refuse.js";

export { createRunJob, type RunJobContext } from "./run-job.js";
export { createLog } from "./log.js";
export { createTimers, type HostTimers } from "./timers.js";
export { createSettle } from "./settle.js";

export type HostFunctions = { [K in keyof RawHost]: (...args: unknown[]) => string | undefined };

/**
 * Each becomes a synchronous callback: arguments and results are copied, never shared. A host
 * function that throws answers with a refusal, so no host error (or host path) reaches the script.
 */
export async function installHostFunctions(
  context: ivm.Context,
  functions: HostFunctions,
  onBug: (error: unknown) => void,
): Promise<void> {
  const names = Object.keys(functions) as (keyof RawHost)[];
  const callbacks = names.map(
    (name) =>
      new ivm.Callback((...args: unknown[]) => {
        try {
          return functions[name](...args);
        } catch (error) {
          onBug(error);
          return refuse(`${name}: the host could not handle this call`);
        }
      }),
  );
  const fields = names.map((name, i) => `${name}: $${i}`).join(", ");
  await context.evalClosure(`globalThis[${JSON.stringify(HOST_GLOBAL)}] = { ${fields} };`, callbacks);
}
