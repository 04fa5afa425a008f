/** Reading a Dispatchfile: language line → CUE, JSON or YAML → model → reference checks. */
import { readFile } from "node:fs/promises";
import type { Problem, Result } from "@bosun/core";
import { detectFormat } from "./format.js";
import { CONCATENATED_FIELDS, SCHEMA_FIELDS, lowerDispatchfile } from "./lower/index.js";
import { Reader } from "./lower/reader.js";
import type { Dispatchfile, DispatchfileFormat } from "./model.js";
import { evaluateCue } from "./syntax/cue-evaluate.js";
import { parseCue } from "./syntax/cue-parser.js";
import { readJson } from "./syntax/json.js";
import { readYaml } from "./syntax/yaml.js";
import { readYamlFast } from "./syntax/yaml-fast.js";
import { SourceError, type Node } from "./tree.js";
import { validateReferences } from "./validate.js";

export interface ParseDispatchfileOptions {
  /** Named in problems. */
  file?: string;
}

/** The model or every problem found, and in both cases the warnings (parts of the file ignored). */
export type DispatchfileResult = Result<Dispatchfile> & {
  warnings: Problem[];
  /** Absent when the language line itself was refused. */
  format?: DispatchfileFormat;
};

export function parseDispatchfile(text: string, options: ParseDispatchfileOptions = {}): DispatchfileResult {
  const { file } = options;
  let format: DispatchfileFormat | undefined;
  let root: Node;
  try {
    const detected = detectFormat(text);
    format = detected.format;
    if (format === "yaml") {
      const fast = readYamlFast(detected.body);
      const result = fast && lowerAndCheck(fast, file, format);
      // Only a clean reading is kept: problems and warnings need the positions of the full reading.
      if (result?.value && result.warnings.length === 0) return result;
    }
    root =
      format === "json"
        ? readJson(detected.body)
        : format === "yaml"
          ? readYaml(detected.body)
          : evaluateCue(parseCue(detected.body), SCHEMA_FIELDS, CONCATENATED_FIELDS);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    const problem: Problem = {
      code: err.unsupported ? "DISPATCHFILE_UNSUPPORTED" : "DISPATCHFILE_INVALID",
      message: err.message,
      line: err.pos.line,
      column: err.pos.column,
      expected: err.expected,
      found: err.found,
    };
    if (file !== undefined) problem.file = file;
    return format === undefined
      ? { errors: [problem], warnings: [] }
      : { errors: [problem], warnings: [], format };
  }
  return lowerAndCheck(root, file, format);
}

/** The value tree into the model, then the reference checks; problems and warnings in file order. */
function lowerAndCheck(root: Node, file: string | undefined, format: DispatchfileFormat): DispatchfileResult {
  const read = new Reader(file);
  const dispatchfile = lowerDispatchfile(read, root);
  validateReferences(dispatchfile, read);
  const byPlace = (a: Problem, b: Problem) =>
    (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  const warnings = read.warnings.sort(byPlace);
  if (read.problems.length > 0) return { errors: read.problems.sort(byPlace), warnings, format };
  return { value: dispatchfile, warnings, format };
}

export async function loadDispatchfile(file: string): Promise<DispatchfileResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return {
      errors: [
        {
          code: "DISPATCHFILE_NOT_FOUND",
          message: `cannot read Dispatchfile: ${(err as Error).message}`,
          file,
          expected: "a readable Dispatchfile",
        },
      ],
      warnings: [],
    };
  }
  return parseDispatchfile(text, { file });
}
