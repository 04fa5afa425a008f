/**
 * Keeps a bundle to the script's own folder (its files and its installed dependencies) and the SDK,
 * read as code. Every import is resolved here first and refused when its real path (symlinks
 * resolved) leaves those folders, when it is not a JavaScript, TypeScript or JSON file, or when it
 * asks for another loader through an import attribute. Files are read here too, with the loader their
 * extension names, so no esbuild loader that reads arbitrary content (text, bytes, file, ...) is used.
 */
import type * as esbuild from "esbuild";
import { constants } from "node:fs";
import { readFile, realpath } from "node:fs/promises";
import { dirname, extname, isAbsolute, relative, sep } from "node:path";

export const CONFINED_PLUGIN = "bosun-confined-imports";

/** The only loaders a bundle is made with, by file extension. */
const LOADERS: Readonly<Record<string, esbuild.Loader>> = {
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".json": "json",
};

/** Marks the plugin's own build.resolve calls, so that they take esbuild's default resolution. */
const RESOLVING = Symbol("bosun-confined-resolving");

/** Whether `path` is `folder` or inside it ("..data", as in a ConfigMap mount, is inside). */
function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** `roots`: real paths of the folders a bundle may read from. */
export function confineImports(roots: readonly string[]): esbuild.Plugin {
  // Worded as the built-in refusals are, so that bundle.ts gives them the importing file and line.
  const refusal = (imported: string, why: string) => ({
    errors: [{ text: `${imported} is not available to scripts: ${why}` }],
  });
  const allowed = async (path: string): Promise<string | undefined> => {
    const real = await realpath(path).catch(() => undefined);
    return real !== undefined && roots.some((root) => isInside(root, real)) ? real : undefined;
  };
  return {
    name: CONFINED_PLUGIN,
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if ((args.pluginData as Record<symbol, unknown> | undefined)?.[RESOLVING]) return undefined;
        const attributes = Object.entries(args.with);
        if (attributes.some(([key, value]) => key !== "type" || value !== "json")) {
          const shown = attributes.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ");
          return refusal(
            `"${args.path}" with { ${shown} }`,
            "only JavaScript, TypeScript and JSON modules are bundled, as code",
          );
        }
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          with: args.with,
          pluginData: { [RESOLVING]: true },
        });
        // esbuild's own resolution failure ("Could not resolve ...") is reported by esbuild itself.
        if (resolved.errors.length > 0) return undefined;
        if (resolved.namespace !== "file" || resolved.external) {
          return refusal(`"${args.path}"`, "only files in the script's folder are bundled");
        }
        const real = await allowed(resolved.path);
        if (real === undefined) {
          return refusal(
            `"${args.path}"`,
            "it is outside the script's folder (only the script's folder and its node_modules are bundled)",
          );
        }
        const loader = LOADERS[extname(real).toLowerCase()];
        if (loader === undefined || (args.with.type === "json" && loader !== "json")) {
          return refusal(
            `"${args.path}"`,
            "only JavaScript, TypeScript and JSON files are bundled (do file work in a Job)",
          );
        }
        return { path: real, namespace: "file", pluginData: resolved.pluginData as unknown };
      });
      build.onLoad({ filter: /.*/, namespace: "file" }, async (args) => {
        // Checked again here: a file can be replaced by a symlink between resolving and loading.
        const real = await allowed(args.path);
        const loader = real === undefined ? undefined : LOADERS[extname(real).toLowerCase()];
        if (real === undefined || loader === undefined) {
          // Not named: the path may be one the script had no business learning (a glob import's match).
          return refusal(
            "a file outside the script's folder, or not code,",
            "only code in the script's folder is bundled",
          );
        }
        // O_NOFOLLOW: the real path must not have become a symlink since it was checked.
        const contents = await readFile(real, { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
        return { contents, loader, resolveDir: dirname(real) };
      });
    },
  };
}
