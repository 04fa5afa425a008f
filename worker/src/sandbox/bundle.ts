/**
 * Bundles a script with esbuild into one expression for the isolate: the script, its npm
 * dependencies (installed from its package.json and lock, or found in its folder), and the SDK (which `brigadier`, `@brigadecore/brigadier` and
 * `@bosun/sdk` all resolve to). User mistakes come back as problems, never as throws.
 */
import { fail, ok, type Problem, type Result } from "@bosun/core";
import { basename, dirname, resolve } from "node:path";
import { cachedBundle, contentHash, hashFiles, storeBundle } from "./bundle-cache.js";
import type { Bundle } from "./bundle-types.js";
import { CONFINED_PLUGIN } from "./confined-imports.js";
import { installDependencies } from "./dependencies.js";
import { SAFE_BUILTINS_NAMESPACE } from "./safe-builtins.js";
import { buildInThread, type ThreadMessage, type ThreadReply } from "./esbuild-thread.js";
import { FORBIDDEN_PLUGIN } from "./forbidden-imports.js";
import { locateScript, SCRIPT_NAMES } from "./script-file.js";

export interface BundleOptions {
  /** A folder to keep bundles in across processes; memory only when absent. */
  cacheDir?: string;
  /** false: always rebuild (the result is still cached). */
  cache?: boolean;
}

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
  const dependencies = await installDependencies(root, options.cacheDir);
  if (dependencies.errors) return dependencies;
  const nodeModules = dependencies.value?.nodeModules;
  let result: ThreadReply;
  try {
    result = await buildInThread({ kind: "script", entry, root, ...(nodeModules ? { nodeModules } : {}) });
  } catch (error) {
    result = { ok: false, message: (error as Error).message, errors: [] };
  }
  if (!result.ok) {
    if (result.errors.length > 0) return fail(...result.errors.map((m) => problemOf(m)));
    return fail({
      code: "SCRIPT_BUNDLE_FAILED",
      message: `bundling ${basename(entry)} failed: ${result.message}`,
    });
  }
  const output = result.outputs.find((f) => f.path.endsWith(".js"))?.text;
  const code = output === undefined ? undefined : withoutRequireStub(output);
  const sourceMap = result.outputs.find((f) => f.path.endsWith(".map"))?.text;
  // Files only: not the entry (stdin) nor the safe built-ins, which come with this Bosun.
  const inputPaths = result.inputs
    .filter((p) => !p.startsWith("<") && !p.startsWith(`${SAFE_BUILTINS_NAMESPACE}:`))
    .map((p) => resolve(root, p))
    // A changed package.json or lock makes another install, so another bundle.
    .concat(dependencies.value?.manifests ?? []);
  const inputs = await hashFiles(inputPaths);
  if (code === undefined || sourceMap === undefined || !inputs) {
    return fail({ code: "SCRIPT_BUNDLE_FAILED", message: `bundling ${basename(entry)} produced no output` });
  }
  const bundle: Bundle = { entry, root, code, sourceMap, hash: contentHash(inputs), inputs: inputPaths };
  await storeBundle(bundle, inputs, options.cacheDir);
  return ok(bundle);
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

function problemOf(m: ThreadMessage): Problem {
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
