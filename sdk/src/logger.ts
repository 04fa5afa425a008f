/** Brigade v2's `logger`: lines at a level, into the run's log like console output. */
import { currentHost } from "./host.js";
import type { LogLevel } from "./protocol.js";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const at =
  (level: LogLevel) =>
  (message: string): void =>
    currentHost().log(level, String(message));

export const logger: Logger = Object.freeze({
  debug: at("debug"),
  info: at("info"),
  warn: at("warn"),
  error: at("error"),
});
