/**
 * What a script is told of a job that failed outside its own exit code. The full message stays in the
 * run's job record for the operator; the script gets the code and a message without host paths and,
 * for a pull, without connection details (a pull runs on the host's network, so "connection refused"
 * against "manifest unknown" would tell a script which of the host's local ports are open).
 */
import type { ErrorCode } from "@bosun/core";

export interface JobError {
  code: ErrorCode;
  message: string;
}

// Node's, Go's (engines, kubelet) and TLS stacks' words for a connection that did not happen.
const CONNECTION_FAILURE =
  /\b(?:ECONN[A-Z]+|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b|dial (?:tcp|udp|unix)|getaddrinfo|lookup \S+ on|connection (?:refused|reset)|no such host|i\/o timeout|no route to host|network is unreachable|tls: |x509: |server gave HTTP response/i;

// An absolute path standing alone: not the path of a URL or image reference (host/path, http://h/p).
const ABSOLUTE_PATH = /(?<![\w.:/~@%+-])\/[^\s'"`,;()<>[\]{}]*/g;

export const HIDDEN_PATH = "<path>";

export function errorForScript(error: JobError, image: string): JobError {
  if (error.code === "IMAGE_PULL_FAILED" && CONNECTION_FAILURE.test(error.message)) {
    return {
      code: error.code,
      message: `image pull failed for ${image}: the registry is unreachable or refused the connection`,
    };
  }
  return { code: error.code, message: withoutHostPaths(error.message) };
}

export function withoutHostPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, HIDDEN_PATH);
}
