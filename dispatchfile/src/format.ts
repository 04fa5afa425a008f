/** The first line of a Dispatchfile names its language; without one, it is CUE. */
import { SourceError } from "./tree.js";
import type { DispatchfileFormat } from "./model.js";

export interface DetectedFormat {
  format: DispatchfileFormat;
  /** The text with the language line blanked, so lines and columns stay those of the file. */
  body: string;
}

/**
 * Dispatch's language line names the image of the frontend that reads the file, so forks and mirrors
 * (`#!registry:5000/team/dispatch-cue:v0.4-beta1`) name the same languages as `mesosphere/`.
 */
const LANGUAGE_LINE = /^#!(?:(?:[\w.:-]+\/)*dispatch-([a-z]+)(?::[\w.-]+)?|([a-z]+))[ \t\r]*$/;
const KNOWN = ["cue", "json", "yaml", "starlark"] as const;

export function detectFormat(text: string): DetectedFormat {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (!source.startsWith("#!")) return { format: "cue", body: source };
  const newline = source.indexOf("\n");
  const first = newline < 0 ? source : source.slice(0, newline);
  const m = LANGUAGE_LINE.exec(first);
  const language = m?.[1] ?? m?.[2];
  const pos = { line: 1, column: 1 };
  if (!language || !(KNOWN as readonly string[]).includes(language)) {
    throw new SourceError(
      "unknown Dispatchfile language line",
      pos,
      "#!mesosphere/dispatch-cue:vX, -json:vX or -yaml:vX (or #!cue, #!json, #!yaml, or no such line for CUE)",
      JSON.stringify(first.trimEnd()),
      true,
    );
  }
  if (language === "starlark") {
    throw new SourceError(
      "Starlark Dispatchfiles are not supported: they load remote libraries with load(...), which Bosun does not fetch or run. Write the resources, tasks and actions out as a CUE, JSON or YAML Dispatchfile instead",
      pos,
      "#!mesosphere/dispatch-cue:v0.7, #!mesosphere/dispatch-json:v0.7 or #!mesosphere/dispatch-yaml:v0.7",
      JSON.stringify(first.trimEnd()),
      true,
    );
  }
  return { format: language as DispatchfileFormat, body: newline < 0 ? "" : source.slice(newline) };
}
