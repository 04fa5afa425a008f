/**
 * Bundles by content: an entry is reused while every file that went into it still has the same
 * content hash. Kept in memory, and in a folder when one is given (shared by processes).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import type { Bundle } from "./bundle-types.js";
import { sdkEntry } from "./sdk-path.js";

/**
 * Bump when the bundle's shape or build options change, so older cached bundles are not used.
 * 2: bundles are confined to the script's folder (older ones may hold files from anywhere).
 */
const BUNDLE_FORMAT = 2;
const MAX_ENTRIES = 200;

interface Entry {
  format: number;
  /** Input path → sha256 of its content when the bundle was made. */
  inputs: Record<string, string>;
  bundle: Bundle;
}

const memory = new Map<string, Entry>();

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/**
 * Each file's hash, with the stat it was taken at. A file whose size, mtime and inode are unchanged is
 * not read again (as git's index does): re-hashing the script and the SDK's sources cost milliseconds on
 * every event.
 */
const hashed = new Map<string, { size: number; mtimeMs: number; ino: number; hash: string }>();

/**
 * The SDK's sources, bundled into every script, are installed with Bosun and do not change while it
 * runs (the in-isolate runtime is built from them once per process too): hashed once, not checked
 * again on every event.
 */
let sdkSources: Promise<string> | undefined;
const sdkFolder = () =>
  (sdkSources ??= realpath(dirname(sdkEntry())).then(
    (dir) => dir + sep,
    () => "\0",
  ));

/** sha256 of each file; undefined when one cannot be read. */
export async function hashFiles(paths: readonly string[]): Promise<Record<string, string> | undefined> {
  const sdk = await sdkFolder();
  const hashes = await Promise.all(
    paths.map((path) => {
      const known = path.startsWith(sdk) ? hashed.get(path) : undefined;
      return known ? known.hash : hashFile(path);
    }),
  );
  if (hashes.some((h) => h === undefined)) return undefined;
  return Object.fromEntries(paths.map((path, i) => [path, hashes[i] as string]));
}

async function hashFile(path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return undefined;
  const known = hashed.get(path);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino)
    return known.hash;
  const content = await readFile(path).catch(() => undefined);
  if (content === undefined) return undefined;
  const hash = sha256(content);
  hashed.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash });
  return hash;
}

/** One hash over all inputs, in a stable order. */
export function contentHash(inputs: Record<string, string>): string {
  return sha256(
    Object.keys(inputs)
      .sort()
      .map((path) => `${path}\0${inputs[path]}`)
      .join("\n"),
  );
}

export async function cachedBundle(entry: string, dir?: string): Promise<Bundle | undefined> {
  let found = memory.get(entry);
  if (!found && dir) found = await readEntry(dir, entry);
  if (!found || found.format !== BUNDLE_FORMAT) return undefined;
  const now = await hashFiles(Object.keys(found.inputs));
  if (!now || contentHash(now) !== found.bundle.hash) return undefined;
  remember(entry, found);
  return found.bundle;
}

export async function storeBundle(
  bundle: Bundle,
  inputs: Record<string, string>,
  dir?: string,
): Promise<void> {
  const entry: Entry = { format: BUNDLE_FORMAT, inputs, bundle };
  remember(bundle.entry, entry);
  if (!dir) return;
  try {
    await mkdir(dir, { recursive: true });
    const file = fileFor(dir, bundle.entry);
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, file);
  } catch {
    // A cache that cannot be written only costs a rebuild next time.
  }
}

/** Forgets every bundle kept in memory (the folder is left alone). */
export function clearBundleCache(): void {
  memory.clear();
  hashed.clear();
}

function remember(key: string, entry: Entry): void {
  memory.delete(key);
  memory.set(key, entry);
  if (memory.size > MAX_ENTRIES) memory.delete(memory.keys().next().value as string);
}

const fileFor = (dir: string, entry: string) => join(dir, `${sha256(entry)}.json`);

async function readEntry(dir: string, entry: string): Promise<Entry | undefined> {
  try {
    const parsed = JSON.parse(await readFile(fileFor(dir, entry), "utf8")) as Entry;
    return parsed.bundle?.entry === entry ? parsed : undefined;
  } catch {
    return undefined;
  }
}
