/**
 * V8's code cache for the sources every fresh isolate compiles (the runtime, each script's bundle):
 * a run's isolate is new, but its source is usually one compiled before, so the parse is reused.
 * Keyed by the source's SHA-256: V8 checks only a cache's length and flags against the source, so
 * the key must be the content itself.
 */
import type ivm from "isolated-vm";
import { sha256 } from "../bundle-cache.js";

const MAX_ENTRIES = 64;
const cache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>();

export async function compileCached(
  isolate: ivm.Isolate,
  code: string,
  filename: string,
): Promise<ivm.Script> {
  const key = sha256(code);
  const cachedData = cache.get(key);
  // isolated-vm sets these on the script, but its types leave them out.
  const script: ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean } =
    await isolate.compileScript(code, {
      filename,
      ...(cachedData ? { cachedData } : { produceCachedData: true }),
    });
  // Map order is use order: the least recently compiled source is dropped first.
  cache.delete(key);
  const kept = cachedData && script.cachedDataRejected !== true ? cachedData : script.cachedData;
  if (kept) cache.set(key, kept);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return script;
}
