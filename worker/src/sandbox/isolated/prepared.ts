/**
 * An isolate made ready before an event needs it: context, host functions and the in-isolate runtime.
 * The host functions forward to whichever run binds the isolate, so the work can be done ahead of the
 * event; each prepared isolate still serves exactly one run and is disposed after it.
 */
import ivm from "isolated-vm";
import { compileCached } from "./code-cache.js";
import { installHostFunctions, type HostFunctions } from "./host-functions/index.js";
import { refuse } from "./host-functions/refuse.js";
import { RUNTIME_FILENAME, type RawHost, type RuntimeApi } from "./protocol.js";
import { runtimeSource } from "./runtime-source.js";

export type RuntimeRefs = { [K in keyof RuntimeApi]: ivm.Reference<RuntimeApi[K]> };

export interface IsolateBinding {
  functions: HostFunctions;
  onBug(error: unknown): void;
  onCatastrophicError(message: string): void;
}

export interface PreparedIsolate {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  readonly api: RuntimeRefs;
  readonly memoryMb: number;
  /** Connects the host functions to the run that takes this isolate. */
  bind(binding: IsolateBinding): void;
}

const HOST_NAMES = [
  "runJob",
  "setTimer",
  "clearTimer",
  "log",
  "settle",
] as const satisfies readonly (keyof RawHost)[];

export async function prepareIsolate(memoryMb: number): Promise<PreparedIsolate> {
  let bound: IsolateBinding | undefined;
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    onCatastrophicError: (message) => bound?.onCatastrophicError(message),
  });
  try {
    const context = await isolate.createContext();
    const forward = Object.fromEntries(
      HOST_NAMES.map((name) => [
        name,
        (...args: unknown[]) =>
          bound ? bound.functions[name](...args) : refuse(`${name}: no run is bound to this isolate`),
      ]),
    ) as HostFunctions;
    await installHostFunctions(context, forward, (error) => bound?.onBug(error));
    const runtime = await compileCached(isolate, await runtimeSource(), RUNTIME_FILENAME);
    const api = (await runtime.run(context, { reference: true })) as ivm.Reference<RuntimeApi>;
    const refs: RuntimeRefs = {
      dispatch: await api.get("dispatch", { reference: true }),
      deliverJob: await api.get("deliverJob", { reference: true }),
      fireTimer: await api.get("fireTimer", { reference: true }),
      fault: await api.get("fault", { reference: true }),
    };
    return {
      isolate,
      context,
      api: refs,
      memoryMb,
      bind(binding) {
        if (bound) throw new Error("a prepared isolate serves one run only");
        bound = binding;
      },
    };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}
