/** Real `git` for tests, with a fixed identity so commits need no user configuration. */
import { execFileSync } from "node:child_process";

export function git(cwd: string, ...args: string[]): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  };
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}
