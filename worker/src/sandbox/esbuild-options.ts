/** What esbuild is asked to build: a script's bundle, and the in-isolate runtime. */
import type * as esbuild from "esbuild";
import { basename, dirname, join } from "node:path";
import { confineImports } from "./confined-imports.js";
import { forbidBuiltins } from "./forbidden-imports.js";
import { safeBuiltins } from "./safe-builtins.js";
import { BUNDLE_FILENAME } from "./isolated/protocol.js";

const GLOBAL_NAME = "__bosunScript";

/**
 * `entry` and `root` are real paths; `sdk` is the SDK's entry, `sdkFolder` the real folder of its
 * sources; `nodeModules`, the real path of the script's installed dependencies, when it has some.
 */
export function scriptBuildOptions(
  entry: string,
  root: string,
  sdk: string,
  sdkFolder: string,
  nodeModules?: string,
) {
  return {
    stdin: {
      // The SDK first, then the script: both share the one SDK module, so dispatchEvent sees its handlers.
      contents: `export { dispatchEvent } from ${JSON.stringify(sdk)};\nimport ${JSON.stringify(`./${basename(entry)}`)};\n`,
      resolveDir: root,
      sourcefile: "<bosun-entry>",
      loader: "js" as const,
    },
    absWorkingDir: root,
    outfile: join(root, BUNDLE_FILENAME),
    bundle: true,
    write: false as const,
    metafile: true as const,
    format: "iife" as const,
    globalName: GLOBAL_NAME,
    // Evaluates to dispatchEvent, so nothing of the bundle has to be left on the global object.
    banner: { js: "(function () {" },
    footer: { js: `return ${GLOBAL_NAME}.dispatchEvent;\n})()` },
    platform: "neutral" as const,
    mainFields: ["module", "main"],
    target: "es2023",
    sourcemap: "external" as const,
    sourcesContent: false,
    legalComments: "none" as const,
    logLevel: "silent" as const,
    alias: { brigadier: sdk, "@brigadecore/brigadier": sdk, "@bosun/sdk": sdk },
    define: { "process.env.NODE_ENV": '"production"' },
    // No tsconfig.json is read (the script's, its parents' or what they extend): it could point paths,
    // baseUrl or extends anywhere on the server.
    tsconfigRaw: "{}",
    // Safe versions of a few pure modules first; every other built-in is refused with a hint.
    // Packages not found from the script's folder are looked for among its installed dependencies.
    ...(nodeModules ? { nodePaths: [nodeModules] } : {}),
    plugins: [
      safeBuiltins(),
      forbidBuiltins(),
      // The install's whole folder: a file: dependency on a folder of the script's is linked there.
      confineImports(nodeModules ? [root, sdkFolder, dirname(nodeModules)] : [root, sdkFolder]),
    ],
  } satisfies esbuild.BuildOptions;
}

/** The runtime as one expression that installs it and evaluates to its RuntimeApi. */
export function runtimeBuildOptions(runtimeFile: string) {
  return {
    entryPoints: [runtimeFile],
    bundle: true,
    write: false as const,
    format: "iife" as const,
    globalName: "__bosunRuntime",
    platform: "neutral" as const,
    target: "es2023",
    logLevel: "silent" as const,
    // Evaluates to the API object itself (a plain object: isolated-vm cannot read esbuild's getters).
    banner: { js: "(function () {" },
    footer: { js: "return __bosunRuntime.api;\n})()" },
  } satisfies esbuild.BuildOptions;
}
