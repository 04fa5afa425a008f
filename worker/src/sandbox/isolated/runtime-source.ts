/** The in-isolate runtime as one script, built once per process from the compiled runtime.js. */
import { buildInThread } from "../esbuild-thread.js";
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
  const result = await buildInThread({
    kind: "runtime",
    file: fileURLToPath(new URL("./runtime.js", import.meta.url)),
  });
  if (!result.ok) throw new Error(`the runtime could not be built: ${result.message}`);
  const file = result.outputs[0];
  if (!file) throw new Error("esbuild produced no runtime");
  return file.text;
}
