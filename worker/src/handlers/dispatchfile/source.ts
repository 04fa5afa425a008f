/** The project's Dispatchfile: a file on the server, or a path in a git repository cloned per run. */
import { readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { type SourceRef } from "@bosun/core";
import { loadDispatchfile, parseDispatchfile, type DispatchfileResult } from "@bosun/dispatchfile";
import { cloneAt, GitError, hideCredentials, type GitAuth, type GitCheckout } from "./git.js";

export interface LoadedDispatchfile {
  result: DispatchfileResult;
  /** How the file is named in messages. */
  name: string;
  /** Set when the Dispatchfile came from git: `$(context.git.*)`. */
  git?: { url: string; checkout: GitCheckout };
}

/**
 * Never throws for a missing or unreadable file or repository: that is a problem in the result. A
 * repository on an https host the project has a git login for is cloned with it (`auth`).
 */
export async function loadProjectDispatchfile(
  source: SourceRef,
  cloneDir: string,
  signal: AbortSignal,
  auth?: GitAuth,
): Promise<LoadedDispatchfile> {
  if ("path" in source) return { result: await loadDispatchfile(source.path), name: source.path };
  const { url, revision, path } = source.git;
  const name = `${hideCredentials(url)}@${revision || "HEAD"}:${path}`;
  let checkout: GitCheckout;
  try {
    checkout = await cloneAt(url, revision || undefined, cloneDir, signal, auth);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    return notFound(name, `cannot fetch the Dispatchfile: ${err.message}`);
  }
  const file = resolve(cloneDir, path);
  if (relative(cloneDir, file).startsWith("..") || !(file + sep).startsWith(cloneDir + sep)) {
    return notFound(name, `the Dispatchfile path ${JSON.stringify(path)} leaves the repository`);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return notFound(name, `cannot read the Dispatchfile: ${(err as Error).message.replace(cloneDir, "")}`);
  }
  return { result: parseDispatchfile(text, { file: name }), name, git: { url, checkout } };
}

function notFound(file: string, message: string): LoadedDispatchfile {
  return {
    result: {
      errors: [{ code: "DISPATCHFILE_NOT_FOUND", message, file, expected: "a readable Dispatchfile" }],
      warnings: [],
    },
    name: file,
  };
}

/** Where a run's clone of its Dispatchfile goes. */
export const sourceDir = (runDir: string) => join(runDir, "dispatchfile");
