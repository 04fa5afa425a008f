/**
 * Clones with the real `git` on the worker's machine: job images need no git of their own, and the
 * clone lands in a directory the task's containers mount.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** What a checkout turned out to be, for `$(context.git.*)`. */
export interface GitCheckout {
  commit: string;
  /** The branch checked out, when the revision named one (or none was given: the default branch). */
  branch: string;
  /** The tag, when the revision named one. */
  tag: string;
}

export class GitError extends Error {}

/** A clone may take a while; a server that never answers must not hold a run forever. */
const GIT_TIMEOUT_MS = 10 * 60_000;

/**
 * `git clone --quiet URL DIR`, then `git checkout REVISION` when one is given (a branch, a tag or a
 * commit). Without a revision the remote's default branch stays checked out.
 */
export async function cloneAt(
  url: string,
  revision: string | undefined,
  dir: string,
  signal: AbortSignal,
): Promise<GitCheckout> {
  if (!url) throw new GitError("the git url is empty");
  // Leading dashes would be read as options by git.
  if (url.startsWith("-")) throw new GitError(`the git url ${JSON.stringify(url)} is not valid`);
  if (revision?.startsWith("-")) throw new GitError(`the revision ${JSON.stringify(revision)} is not valid`);
  await git(["clone", "--quiet", "--", url, dir], undefined, signal, url);
  if (revision)
    await git(["-c", "advice.detachedHead=false", "checkout", "--quiet", revision], dir, signal, url);
  const commit = (await git(["rev-parse", "HEAD"], dir, signal, url)).trim();
  if (!revision) {
    const head = (await git(["rev-parse", "--abbrev-ref", "HEAD"], dir, signal, url)).trim();
    return { commit, branch: head === "HEAD" ? "" : head, tag: "" };
  }
  const exists = (ref: string) =>
    git(["show-ref", "--verify", "--quiet", ref], dir, signal, url).then(
      () => true,
      () => false,
    );
  return {
    commit,
    branch: (await exists(`refs/remotes/origin/${revision}`)) ? revision : "",
    tag: (await exists(`refs/tags/${revision}`)) ? revision : "",
  };
}

const SUBCOMMANDS = new Set(["clone", "checkout", "rev-parse", "show-ref"]);

async function git(
  args: string[],
  cwd: string | undefined,
  signal: AbortSignal,
  url: string,
): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      cwd,
      signal,
      timeout: GIT_TIMEOUT_MS,
      maxBuffer: 4 * 1024 * 1024,
      // Never wait for a password on a terminal nobody is watching.
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const detail = (e.stderr?.trim() || e.message).split("\n").slice(-3).join(" ");
    const command = args.find((a) => SUBCOMMANDS.has(a)) ?? "";
    throw new GitError(`git ${command} failed: ${hideCredentials(detail, url)}`);
  }
}

/** Credentials in a URL (https://user:token@host/...) stay out of logs and run errors. */
export function hideCredentials(text: string, url = ""): string {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(url)?.[1];
  const masked = userinfo ? text.replaceAll(userinfo, "***") : text;
  return masked.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
}
