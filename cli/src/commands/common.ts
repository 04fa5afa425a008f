import type { Command } from "commander";
import { BosunError, type ErrorCode } from "@bosun/core";
import { ApiClient, ApiError, type ClientOptions } from "../client.js";

/** --server/--token on every command that talks to a running server. */
export function withServer(cmd: Command): Command {
  return cmd
    .option("--server <url>", "Bosun server (env BOSUN_SERVER)", undefined)
    .option("--token <token>", "admin token (env BOSUN_TOKEN; default: .data/admin-token)")
    .option("--data <dir>", "the server's data dir, to find its admin token", ".data");
}

export function clientFrom(opts: ClientOptions): ApiClient {
  return new ApiClient(opts);
}

/** A command's refusal of what it was given: a registry code (USAGE_INVALID unless said) and why. */
export class CommandError extends BosunError {
  constructor(message: string, code: ErrorCode = "USAGE_INVALID") {
    super(code, message);
    this.name = "CommandError";
  }
}

/** Says why a command refused, with its code, and sets the exit status (2: a usage mistake). */
export function refuse(message: string, code: ErrorCode = "USAGE_INVALID", exitCode = 2): undefined {
  process.stderr.write(`error: ${message} [${code}]\n`);
  process.exitCode = exitCode;
  return undefined;
}

/**
 * One place that turns failures into a message and an exit code. Every message carries a code: the
 * server's, a BosunError's, or INTERNAL for a failure nothing expected.
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ApiError) {
        process.stderr.write(`error: ${err.message}${err.code ? ` [${err.code}]` : ""}\n`);
      } else {
        // What went wrong, not where in Bosun's code: the stack only with BOSUN_DEBUG set.
        const e = err instanceof Error ? err : new Error(String(err));
        const code = ` [${e instanceof BosunError ? e.code : "INTERNAL"}]`;
        process.stderr.write(`error: ${e.message}${code}\n`);
        if (process.env.BOSUN_DEBUG && e.stack) process.stderr.write(`${e.stack}\n`);
      }
      process.exitCode = 1;
    }
  };
}
