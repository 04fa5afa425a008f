/** log(level, text): the script's console output, capped per line and per run. */
import type { LogLevel } from "@bosun/sdk";
import type { ScriptLog } from "../types.js";
import { kindOf, refuse, show } from "./refuse.js";

const LEVELS: ReadonlySet<string> = new Set<LogLevel>(["debug", "info", "warn", "error"]);
const MAX_LINE = 16 * 1024;

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
    let line =
      text.length > MAX_LINE
        ? `${text.slice(0, MAX_LINE)}… [${text.length - MAX_LINE} more characters]`
        : text;
    if (used + line.length > maxBytes) {
      dropped = true;
      line = `[script output reached ${maxBytes} characters; the rest of it is dropped]`;
    }
    used += line.length;
    sink(`${line}\n`, level as LogLevel);
    return undefined;
  };
}
