import { BRIDGE_GLOBAL, type HostBridge, type JobReply } from "./protocol.js";

/** Outside the worker (unit tests, editors) jobs "succeed" with no output, as with brigadier. */
const noopHost: HostBridge = {
  runJob: async () => {
    const at = new Date().toISOString();
    const reply: JobReply = {
      ok: true,
      result: { outcome: "succeeded", output: "", startedAt: at, finishedAt: at },
    };
    return JSON.stringify(reply);
  },
  log: (level, text) => {
    if (typeof console === "undefined") return;
    if (level === "error" || level === "warn") console.error(text);
    else console.log(text);
  },
};

/** The bridge the runtime installed, or the no-op host. Looked up per call so tests can swap it. */
export function currentHost(): HostBridge {
  const bridge = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] as Partial<HostBridge> | undefined;
  return bridge && typeof bridge.runJob === "function" && typeof bridge.log === "function"
    ? (bridge as HostBridge)
    : noopHost;
}
