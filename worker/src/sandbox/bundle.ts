/**
 * Bundles a script with esbuild into one expression for the isolate: the script, its npm
 * dependencies from its own folder, and the SDK (which `brigadier`, `@brigadecore/brigadier` and
 * `@bosun/sdk` all resolve to). User mistakes come back as problems, never as throws.
 */
import { fail, ok, type Problem, type Result } from "@bosun/core";
import * as esbuild from "esbuild";
import { realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { cachedBundle, contentHash, hashFiles, storeBundle } from "./bundle-cache.js";
import type { Bundle } from "./bundle-types.js";
import { CONFINED_PLUGIN, confineImports } from "./confined-imports.js";
import { FORBIDDEN_PLUGIN, forbidBuiltins } from "./forbidden-imports.js";
import { BUNDLE_FILENAME } from "./isolated/protocol.js";
import { locateScript, SCRIPT_NAMES } from "./script-file.js";
import { sdkEntry, sdkRoot } from "./sdk-path.js";

export interface BundleOptions {
  /** A folder to keep bundles in across processes; memory only when absent. */
  cacheDir?: string;
  /** false: always rebuild (the result is still cached). */
  cache?: boolean;
}

const GLOBAL_NAME = "__bosunScript";

export async function bundleScript(path: string, options: BundleOptions = {}): Promise<Result<Bundle>> {
  const entry = await locateScript(path);
  if (!entry) {
    return fail({
      code: "SCRIPT_NOT_FOUND",
      message: `no script at ${path}: expected a script file, or a folder holding ${SCRIPT_NAMES.join(", ")}`,
      file: path,
    });
  }
  if (options.cache !== false) {
    const hit = await cachedBundle(entry, options.cacheDir);
    if (hit) return ok(hit);
  }
  const root = dirname(entry);
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build(buildOptions(entry, root, await realpath(sdkRoot())));
  } catch (error) {
    const messages = (error as Partial<esbuild.BuildFailure>).errors;
    if (Array.isArray(messages) && messages.length > 0) return fail(...messages.map((m) => problemOf(m)));
    return fail({
      code: "SCRIPT_BUNDLE_FAILED",
      message: `bundling ${basename(entry)} failed: ${(error as Error).message}`,
    });
  }
  const output = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text;
  const code = output === undefined ? undefined : withoutRequireStub(output);
  const sourceMap = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text;
  const inputPaths = Object.keys(result.metafile.inputs)
    .filter((p) => !p.startsWith("<"))
    .map((p) => resolve(root, p));
  const inputs = await hashFiles(inputPaths);
  if (code === undefined || sourceMap === undefined || !inputs) {
    return fail({ code: "SCRIPT_BUNDLE_FAILED", message: `bundling ${basename(entry)} produced no output` });
  }
  const bundle: Bundle = { entry, root, code, sourceMap, hash: contentHash(inputs), inputs: inputPaths };
  await storeBundle(bundle, inputs, options.cacheDir);
  return ok(bundle);
}

function buildOptions(entry: string, root: string, sdkFolder: string) {
  const sdk = sdkEntry();
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
    plugins: [forbidBuiltins(), confineImports([root, sdkFolder])],
  };
}

/**
 * esbuild turns `typeof require` into `typeof __require`, its stub for dynamic requires. Scripts and
 * packages that feature-detect Node should see the truth: there is no require. The replacement has
 * the same length, so the source map stays exact. The stub's own message is made to say why.
 */
function withoutRequireStub(code: string): string {
  return code
    .replace(
      /\btypeof __require\b/g,
      `"undefined"${" ".repeat("typeof __require".length - '"undefined"'.length)}`,
    )
    .replace(
      `throw Error('Dynamic require of "' + x + '" is not supported');`,
      `throw Error('require("' + x + '") is not available to scripts: only static imports are bundled');`,
    );
}

function problemOf(m: esbuild.Message): Problem {
  const loc = m.location;
  const forbidden = m.pluginName === FORBIDDEN_PLUGIN || m.pluginName === CONFINED_PLUGIN;
  const problem: Problem = {
    code: forbidden ? "SCRIPT_FORBIDDEN_IMPORT" : "SCRIPT_BUNDLE_FAILED",
    message: m.text,
  };
  if (!loc) return problem;
  problem.file = loc.file;
  problem.line = loc.line;
  problem.column = loc.column + 1;
  if (forbidden) {
    problem.message = `${loc.file} imports ${m.text.replace(/ is not available/, ` on line ${loc.line}, which is not available`)}`;
  } else {
    const hint = /^Could not resolve/.test(m.text)
      ? " (install it in the script's folder, next to the script)"
      : "";
    problem.message = `${loc.file}, line ${loc.line}: ${m.text}${hint}`;
  }
  return problem;
}
