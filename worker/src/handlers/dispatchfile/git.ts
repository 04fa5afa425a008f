/**
 * Clones with the real `git` on the worker's machine: job images need no git of their own, and the
 * clone lands in a directory the task's containers mount.
 *
 * An https URL whose host the project has a git login for (`bosun login git`) is cloned with it: the
 * login goes to git as an `Authorization` header in its environment (GIT_CONFIG_COUNT/KEY/VALUE,
 * scoped to that scheme, host and port), never on the command line, in the URL or in a file.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { normaliseTarget, type GitLogin } from "@bosun/core";

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

/** The project's git logins, for the clones of one run. */
export interface GitAuth {
  logins: readonly GitLogin[];
  /** Named in the message that says how to log in. */
  project: string;
}

/** How one URL is cloned: the extra environment for git, and what must never appear in its errors. */
export interface GitAccess {
  /** host[:port] of an http(s) URL, as logins name it. */
  host?: string;
  /** The login used (https only). */
  login?: GitLogin;
  /** The project has a login for the host, but the URL is plain http: it is not sent. */
  withheld?: GitLogin;
  env: Record<string, string>;
  secrets: string[];
}

/** Which login, if any, goes with `url`, and the git configuration (environment) that sends it. */
export function gitAccess(url: string, logins: readonly GitLogin[] = []): GitAccess {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { env: {}, secrets: [] }; // scp-like ssh (git@host:repo) or a local path
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { env: {}, secrets: [] };
  const host = normaliseTarget("git", parsed.host);
  if (!host) return { env: {}, secrets: [] };
  const login = logins.find((l) => normaliseTarget("git", l.host) === host);
  // A URL that carries its own user (and maybe password) keeps it; plain http would send the password in the clear.
  if (!login || parsed.username || parsed.password) return { host, env: {}, secrets: [] };
  if (parsed.protocol === "http:") return { host, withheld: login, env: {}, secrets: [] };
  const basic = Buffer.from(`${login.username}:${login.password}`, "utf8").toString("base64");
  // Appended to any configuration the worker's own environment already passes this way.
  const n = Number.parseInt(process.env.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  return {
    host,
    login,
    env: {
      GIT_CONFIG_COUNT: String(n + 1),
      [`GIT_CONFIG_KEY_${n}`]: `http.https://${parsed.host}/.extraHeader`,
      [`GIT_CONFIG_VALUE_${n}`]: `Authorization: Basic ${basic}`,
    },
    secrets: [login.password, basic],
  };
}

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
  auth?: GitAuth,
): Promise<GitCheckout> {
  if (!url) throw new GitError("the git url is empty");
  // Leading dashes would be read as options by git.
  if (url.startsWith("-")) throw new GitError(`the git url ${JSON.stringify(url)} is not valid`);
  if (revision?.startsWith("-")) throw new GitError(`the revision ${JSON.stringify(revision)} is not valid`);
  const access = gitAccess(url, auth?.logins);
  const call = { url, access, project: auth?.project };
  await git(["clone", "--quiet", "--", url, dir], undefined, signal, call);
  if (revision)
    await git(["-c", "advice.detachedHead=false", "checkout", "--quiet", revision], dir, signal, call);
  const commit = (await git(["rev-parse", "HEAD"], dir, signal, call)).trim();
  if (!revision) {
    const head = (await git(["rev-parse", "--abbrev-ref", "HEAD"], dir, signal, call)).trim();
    return { commit, branch: head === "HEAD" ? "" : head, tag: "" };
  }
  const exists = (ref: string) =>
    git(["show-ref", "--verify", "--quiet", ref], dir, signal, call).then(
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

/** What git says when a server wants a login it did not get, or refused the one it got. */
const AUTH_REFUSED =
  /could not read (username|password)|authentication failed|terminal prompts disabled|returned error: 40[13]|\b401 unauthori[sz]ed|\b403 forbidden/i;

async function git(
  args: string[],
  cwd: string | undefined,
  signal: AbortSignal,
  { url, access, project }: { url: string; access: GitAccess; project: string | undefined },
): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      cwd,
      signal,
      timeout: GIT_TIMEOUT_MS,
      maxBuffer: 4 * 1024 * 1024,
      // Never wait for a password on a terminal nobody is watching: a missing login fails at once.
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...access.env },
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const hide = (text: string) =>
      access.secrets.reduce(
        (t, secret) => (secret ? t.replaceAll(secret, "***") : t),
        hideCredentials(text, url),
      );
    // e.message repeats the command line, which holds nothing secret; stderr is what git said.
    const detail = hide((e.stderr?.trim() || e.message).split("\n").slice(-3).join(" "));
    const command = args.find((a) => SUBCOMMANDS.has(a)) ?? "";
    const advice = access.host && AUTH_REFUSED.test(detail) ? loginAdvice(access, project) : "";
    throw new GitError(`git ${command} failed: ${advice}${detail}`);
  }
}

/** Says which host wanted a login and how to give the project one. */
function loginAdvice(access: GitAccess, project: string | undefined): string {
  const host = access.host ?? "";
  const name = project ?? "PROJECT";
  const command = `\`bosun login git --project ${name} --host ${host} --username USER --password-stdin\` (the password or token on standard input)`;
  if (access.login) {
    return `${host} refused the login of user "${access.login.username}" that project "${name}" has for it; run ${command} to replace it. git said: `;
  }
  if (access.withheld) {
    return `project "${name}" has a login for ${host}, but it is sent over https only and this URL is plain http; use the https URL. git said: `;
  }
  return `${host} wants a login, and project "${name}" has none for it; run ${command}. git said: `;
}

/** Credentials in a URL (https://user:token@host/...) stay out of logs and run errors. */
export function hideCredentials(text: string, url = ""): string {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]+)@/i.exec(url)?.[1];
  const masked = userinfo ? text.replaceAll(userinfo, "***") : text;
  return masked.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
}
