import { pino, type Logger } from "pino";

/** JSON lines on stderr; BOSUN_LOG_LEVEL=debug|info|warn|error|silent. Secrets are never passed to it. */
export function createLogger(name = "bosun"): Logger {
  return pino({ name, level: process.env.BOSUN_LOG_LEVEL ?? "info" }, pino.destination(2));
}
export type { Logger };
