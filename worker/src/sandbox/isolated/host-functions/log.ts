/**
 * log(level, text): the script's console output, capped per run. Long lines are passed on whole: the
 * run's log writer cuts them after redaction, so a cut never leaves the start of a secret behind.
 */
import type { LogLevel } from "@bosun/sdk";
import type { ScriptLog } from "../types.js";
import { kindOf, refuse, show } from "./refuse.js";

const LEVELS: ReadonlySet<string> = new Set<LogLevel>(["debug", "info", "warn", "error"]);

export function createLog(
  sink: ScriptLog,
  maxBytes: number,
): (level: unknown, text: unknown) => string | undefined {
  let used = 0;
  let dropped = false;
  return (level, text) => {
    if (typeof level !== "string" || !LEVELS.has(level))
      return refuse(`log: expected a level (${[...LEVELS].join(", ")}), found ${show(level)}`);
    if (typeof text !== "string") return refuse(`log: expected a string, found ${kindOf(text)}`);
    if (dropped) return undefined;
    let line = text;
    if (used + line.length > maxBytes) {
      dropped = true;
      line = `[script output reached ${maxBytes} characters; the rest of it is dropped]`;
    }
    used += line.length;
    sink(`${line}\n`, level as LogLevel);
    return undefined;
  };
}
