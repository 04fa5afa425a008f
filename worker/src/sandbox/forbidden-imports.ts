/** Refuses Node's built-in modules at bundle time, saying what to do instead. */
import type * as esbuild from "esbuild";
import { builtinModules } from "node:module";

export const FORBIDDEN_PLUGIN = "bosun-forbidden-imports";

const ADVICE: Record<string, string> = {
  child_process: "use a Job to run commands",
  fs: "scripts have no file system: do file work in a Job (job.storage shares files between the jobs of a run)",
  net: "scripts have no network: make network calls from a Job",
  os: "scripts do not run on a host: the event is in e (e.payload, e.image), secrets in p.secrets",
  process: "secrets come from p.secrets, the event from e",
  crypto: "compute hashes and signatures in a Job",
  worker_threads: "use several Jobs, or Group.runAll, for parallel work",
};
const NETWORK = ["http", "https", "http2", "dgram", "dns", "tls", "net", "inspector"];
const PROCESS = ["cluster", "vm", "v8", "repl", "module", "readline", "tty", "perf_hooks"];

const builtins = new Set(builtinModules.map((m) => m.replace(/^node:/, "")));

function adviceFor(base: string): string {
  if (ADVICE[base]) return ADVICE[base];
  if (NETWORK.includes(base)) return "scripts have no network: make network calls from a Job";
  if (PROCESS.includes(base)) return "scripts run in a sandbox, not in Node: do this work in a Job";
  return "Node's built-in modules are not available to scripts: do this work in a Job";
}

/** The module a specifier names if it is a Node built-in ("fs" for "node:fs/promises"), else undefined. */
export function builtinName(specifier: string): string | undefined {
  const bare = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  const base = bare.split("/")[0] ?? bare;
  if (specifier.startsWith("node:") || builtins.has(bare) || builtins.has(base)) return base;
  return undefined;
}

export function forbidBuiltins(): esbuild.Plugin {
  return {
    name: FORBIDDEN_PLUGIN,
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const base = builtinName(args.path);
        if (base === undefined) return undefined;
        // esbuild adds the importing file, line and column to the message's location.
        return {
          errors: [
            { text: `"${args.path}" is not available to scripts: ${adviceFor(base)}`, detail: args.path },
          ],
        };
      });
    },
  };
}
