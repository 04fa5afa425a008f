/**
 * The thread esbuild runs in (see esbuild-thread.ts). Its environment is empty, and so is that of
 * the esbuild process it starts: nothing of the server's environment can reach a bundle or esbuild.
 */
import * as esbuild from "esbuild";
import { realpath } from "node:fs/promises";
import { dirname } from "node:path";
import { parentPort } from "node:worker_threads";
import type { ThreadMessage, ThreadReply, ThreadRequest } from "./esbuild-thread.js";
import { runtimeBuildOptions, scriptBuildOptions } from "./esbuild-options.js";
import { sdkEntry } from "./sdk-path.js";

async function build(request: ThreadRequest): Promise<ThreadReply> {
  try {
    const options =
      request.kind === "script"
        ? scriptBuildOptions(
            request.entry,
            request.root,
            sdkEntry(),
            await realpath(dirname(sdkEntry())),
            request.nodeModules === undefined ? undefined : await realpath(request.nodeModules),
          )
        : runtimeBuildOptions(request.file);
    const result = await esbuild.build({ ...options, metafile: true });
    return {
      ok: true,
      outputs: result.outputFiles.map((f) => ({ path: f.path, text: f.text })),
      inputs: Object.keys(result.metafile.inputs),
    };
  } catch (error) {
    const messages = (error as Partial<esbuild.BuildFailure>).errors;
    return {
      ok: false,
      message: (error as Error)?.message ?? String(error),
      // Only plain data crosses to the host thread.
      errors: Array.isArray(messages)
        ? messages.map((m): ThreadMessage => ({
            text: m.text,
            pluginName: m.pluginName,
            location: m.location,
          }))
        : [],
    };
  }
}

parentPort?.on("message", (message: { id: number; request: ThreadRequest }) => {
  void build(message.request).then((reply) => parentPort?.postMessage({ id: message.id, reply }));
});
