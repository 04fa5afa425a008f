/** Maps stack traces from the bundle back to the script's own files and lines. */
import { SourceMap } from "node:module";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Bundle } from "../bundle-types.js";
import { sdkRoot } from "../sdk-path.js";
import { BUNDLE_FILENAME } from "./protocol.js";

const maps = new WeakMap<Bundle, SourceMap>();
const FRAME = new RegExp(`${BUNDLE_FILENAME.replace(/[.]/g, "\\.")}:(\\d+):(\\d+)`, "g");

function mapOf(bundle: Bundle): SourceMap {
  let map = maps.get(bundle);
  if (!map) {
    map = new SourceMap(JSON.parse(bundle.sourceMap) as ConstructorParameters<typeof SourceMap>[0]);
    maps.set(bundle, map);
  }
  return map;
}

/**
 * "file:line:column" in the script's terms (all 1-based), or undefined when the position is in
 * esbuild's own glue code rather than in a source file.
 */
export function originalPosition(bundle: Bundle, line: number, column: number): string | undefined {
  const entry = mapOf(bundle).findEntry(line - 1, column - 1);
  if (!("originalSource" in entry) || entry.generatedLine !== line - 1 || !entry.originalSource)
    return undefined;
  if (entry.originalSource.startsWith("<")) return undefined;
  return `${displayPath(bundle, entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

/**
 * Rewrites bundle positions to the script's files. Keeps the message, the script's frames, and the
 * SDK's frames above the first script frame (where an error arose inside the SDK); drops the
 * dispatch machinery below it, the runtime's frames and any host frame isolated-vm appends. A stack
 * with no script frame at all (a job that failed after an await) is only SDK internals: the message
 * alone says more.
 */
export function mapStack(stack: string, bundle: Bundle): string {
  const out: string[] = [];
  let seenScript = false;
  for (const line of stack.split("\n")) {
    if (!/^\s+at /.test(line)) {
      out.push(line);
      continue;
    }
    if (!line.includes(BUNDLE_FILENAME)) {
      if (/\((?:<anonymous>|index \d+)\)$/.test(line)) out.push(line);
      continue;
    }
    let known = true;
    const mapped = line.replace(FRAME, (whole, l: string, c: string) => {
      const position = originalPosition(bundle, Number(l), Number(c));
      known &&= position !== undefined;
      return position ?? whole;
    });
    if (!known) continue;
    const inSdk = mapped.includes("@bosun/sdk/");
    if (inSdk && seenScript) continue;
    seenScript ||= !inSdk;
    out.push(mapped);
  }
  return (seenScript ? out : out.filter((line) => !/^\s+at /.test(line))).join("\n");
}

/** The script's files relative to its folder; the SDK as "@bosun/sdk/..."; anything else relative too. */
function displayPath(bundle: Bundle, source: string): string {
  const abs = isAbsolute(source) ? source : resolve(bundle.root, source);
  const sdk = sdkRoot();
  if (abs.startsWith(sdk + sep)) return `@bosun/sdk/${relative(sdk, abs).split(sep).join("/")}`;
  return relative(bundle.root, abs).split(sep).join("/");
}
