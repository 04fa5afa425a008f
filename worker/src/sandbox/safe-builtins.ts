/**
 * Node modules scripts use for formatting and small utilities, given to them as pure JavaScript
 * versions that run inside the sandbox: the browser ports Node's own documentation points to (npm's
 * `util`, `assert`, `url`, `path-browserify`, `events`) and core-js's `URL` and `URLSearchParams`. Each is bundled
 * once per process into one module whose `process` is a local, inert stand-in (they read
 * `process.env.NODE_DEBUG` and the like), so the script itself still has no `process`.
 */
import * as esbuild from "esbuild";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const SAFE_BUILTINS_PLUGIN = "bosun-safe-builtins";
/** The namespace their modules live in; bundle.ts leaves it out of the files a bundle depends on. */
export const SAFE_BUILTINS_NAMESPACE = "bosun-builtin";

/** Module name (also under `node:`) → the entry that builds its safe version. */
const ENTRIES: Readonly<Record<string, string>> = {
  util: `module.exports = require("util/");`,
  assert: `module.exports = require("assert/");`,
  "assert/strict": `module.exports = require("assert/").strict;`,
  events: `module.exports = require("events/");`,
  path: `module.exports = require("path-browserify");`,
  "path/posix": `module.exports = require("path-browserify");`,
  url: [
    `const legacy = require("url/");`,
    `const URL = require("core-js-pure/actual/url");`,
    `const URLSearchParams = require("core-js-pure/actual/url-search-params");`,
    `module.exports = { ...legacy, URL, URLSearchParams };`,
  ].join("\n"),
};

/** Whether a specifier names one of them ("util", "node:util", "node:assert/strict", ...). */
export function safeBuiltin(specifier: string): string | undefined {
  const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  return Object.hasOwn(ENTRIES, name) ? name : undefined;
}

export const SAFE_BUILTIN_NAMES: readonly string[] = Object.keys(ENTRIES);

/** What the ports read of `process`: nothing that tells of the server. */
const PROCESS_STAND_IN =
  "var process = { env: {}, argv: [], pid: 0, platform: 'sandbox', cwd: function () { return '/'; }, " +
  "nextTick: function (fn) { var args = Array.prototype.slice.call(arguments, 1); " +
  "Promise.resolve().then(function () { fn.apply(null, args); }); } };";

/** This package's folder, where the ports are installed. */
const resolveDir = dirname(fileURLToPath(import.meta.resolve("util/")));

const built = new Map<string, Promise<string>>();

function build(name: string): Promise<string> {
  let code = built.get(name);
  if (!code) {
    code = esbuild
      .build({
        stdin: { contents: ENTRIES[name]!, resolveDir, sourcefile: `<node:${name}>`, loader: "js" },
        bundle: true,
        write: false,
        format: "cjs",
        platform: "browser",
        target: "es2023",
        banner: { js: PROCESS_STAND_IN },
        legalComments: "none",
        logLevel: "silent",
      })
      .then((r) => r.outputFiles[0]!.text);
    code.catch(() => built.delete(name));
    built.set(name, code);
  }
  return code;
}

export function safeBuiltins(): esbuild.Plugin {
  return {
    name: SAFE_BUILTINS_PLUGIN,
    setup(plugin) {
      plugin.onResolve({ filter: /^(node:)?(util|assert|events|path|url)(\/(strict|posix))?$/ }, (args) => {
        const name = safeBuiltin(args.path);
        return name === undefined ? undefined : { path: name, namespace: SAFE_BUILTINS_NAMESPACE };
      });
      plugin.onLoad({ filter: /.*/, namespace: SAFE_BUILTINS_NAMESPACE }, async (args) => ({
        contents: await build(args.path),
        loader: "js",
      }));
    },
  };
}
