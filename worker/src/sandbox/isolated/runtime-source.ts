/** The in-isolate runtime as one script, built once per process from the compiled runtime.js. */
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

let source: Promise<string> | undefined;

/** An expression that installs the runtime and evaluates to its RuntimeApi. */
export function runtimeSource(): Promise<string> {
  source ??= build().catch((error: unknown) => {
    source = undefined;
    throw error;
  });
  return source;
}

async function build(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./runtime.js", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "__bosunRuntime",
    platform: "neutral",
    target: "es2023",
    logLevel: "silent",
    // Evaluates to the API object itself (a plain object: isolated-vm cannot read esbuild's getters).
    banner: { js: "(function () {" },
    footer: { js: "return __bosunRuntime.api;\n})()" },
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no runtime");
  return file.text;
}
