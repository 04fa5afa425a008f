import { readdirSync } from "node:fs";
import { expect } from "chai";
import { formatProblems } from "@bosun/core";
import { parseDispatchfile } from "../src/index.js";
import { OWN_DISPATCHFILES, readOwn } from "./dispatchfile-support.js";

/** One file per failure mode, and exactly what a user is told (as formatProblems renders it). */
const EXPECTED: Record<string, string> = {
  "unterminated-string.cue.Dispatchfile":
    '3:42: unterminated string (expected a closing " on the same line, found end of line) [DISPATCHFILE_INVALID]',
  "missing-colon.cue.Dispatchfile":
    '4:19: missing ":" after label "build" (expected ":", found end of line) [DISPATCHFILE_INVALID]',
  "missing-comma.cue.Dispatchfile":
    '2:35: missing "," between fields (expected "," or a line break, found image) [DISPATCHFILE_INVALID]',
  "unclosed-brace.cue.Dispatchfile":
    '2:15: unclosed "{" (expected "}", found end of file) [DISPATCHFILE_INVALID]',
  "unmatched-brace.cue.Dispatchfile":
    '5:1: unexpected "}" (expected a field label (this "}" has no matching "{"), found "}") [DISPATCHFILE_INVALID]',
  "unknown-escape.cue.Dispatchfile":
    '2:61: unknown escape "\\q" in string (expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX \\(name), found "\\\\q") [DISPATCHFILE_INVALID]',
  "undefined-reference.cue.Dispatchfile":
    '2:32: undefined reference "registry" (expected a field defined in this file, found registry) [DISPATCHFILE_INVALID]',
  "conflicting-values.cue.Dispatchfile":
    '3:22: conflicting values for "steps" (expected the value given at line 2, column 22 (a list (1 item)), found a list (1 item)) [DISPATCHFILE_INVALID]',
  "disjunction.cue.Dispatchfile":
    '2:20: disjunctions (a | b) are not supported in Dispatchfiles read by Bosun (expected Dispatch\'s CUE: fields, strings, numbers, lists, references and +, found "|") [DISPATCHFILE_UNSUPPORTED]',
  "unknown-task.cue.Dispatchfile":
    '5:22: unknown task "deploy" at actions[0].tasks[1] (expected one of the tasks "build", found "deploy") [DISPATCHFILE_REFERENCE]',
  "missing-resource.cue.Dispatchfile":
    '3:12: unknown resource or task "src-git" at task.test.inputs[0] (expected a resource or task defined in this file, found "src-git") [DISPATCHFILE_REFERENCE]',
  "missing-dep.yaml.Dispatchfile":
    '4:12: unknown task "build" at task.deploy.deps[0] (expected one of the tasks "deploy", found "build") [DISPATCHFILE_REFERENCE]',
  "two-producers.cue.Dispatchfile":
    '4:23: resource "out" is output by both "a" and "b" at task.b.outputs[0] (expected at most one task per output resource, found "b") [DISPATCHFILE_REFERENCE]',
  "dep-cycle.cue.Dispatchfile":
    "2:6: dependency cycle: a → b → a at task.a (expected tasks that do not depend on themselves, found a → b → a) [DISPATCHFILE_REFERENCE]",
  "starlark.Dispatchfile":
    '1:1: Starlark Dispatchfiles are not supported: they load remote libraries with load(...), which Bosun does not fetch or run. Write the resources, tasks and actions out as a CUE, JSON or YAML Dispatchfile instead (expected #!mesosphere/dispatch-cue:v0.7, #!mesosphere/dispatch-json:v0.7 or #!mesosphere/dispatch-yaml:v0.7, found "#!mesosphere/dispatch-starlark:v0.5") [DISPATCHFILE_UNSUPPORTED]',
  "unknown-language.Dispatchfile":
    '1:1: unknown Dispatchfile language line (expected #!mesosphere/dispatch-cue:vX, -json:vX or -yaml:vX (or #!cue, #!json, #!yaml, or no such line for CUE), found "#!mesosphere/dispatch-toml:v0.1") [DISPATCHFILE_UNSUPPORTED]',
  "json-missing-comma.json.Dispatchfile":
    '8:3: JSON: unexpected "actions" (expected "," or "}", found "actions") [DISPATCHFILE_INVALID]',
  "json-trailing-comma.json.Dispatchfile":
    '3:56: JSON: trailing comma (expected another value after ",", found "]") [DISPATCHFILE_INVALID]',
  "yaml-tab-indentation.yaml.Dispatchfile":
    "4:1: YAML: Tabs are not allowed as indentation (expected spaces for indentation, found a tab) [DISPATCHFILE_INVALID]",
  "tags-wrong-type.cue.Dispatchfile":
    '5:26: wrong type for tags at actions[0].on.image.push.tags (expected a list of tag globs, found "release") [DISPATCHFILE_INVALID]',
  "yaml-number-tag.yaml.Dispatchfile":
    "11:18: wrong type for tags[0] at actions[0].on.image.push.tags[0] (expected a string (quote numbers and booleans), found 1) [DISPATCHFILE_INVALID]",
  "step-without-image.cue.Dispatchfile":
    '4:5: step "compile" of task "build" has no image at task.build.steps[0] (expected image: "<container image>") [DISPATCHFILE_INVALID]',
  "no-steps.cue.Dispatchfile":
    '2:24: task "build" has no steps at task.build.steps (expected at least one step) [DISPATCHFILE_INVALID]',
  "invalid-timeout.cue.Dispatchfile":
    '2:26: invalid duration at task.build.timeout (expected a duration such as "10m" or "1h30m", found "ten minutes") [DISPATCHFILE_INVALID]',
  "unknown-resource-type.cue.Dispatchfile":
    '2:25: unknown resource type "svn" at resource.src.type (expected one of "git", "image", "storage", found "svn") [DISPATCHFILE_INVALID]',
};

describe("dispatchfile: malformed files, one per failure mode", () => {
  const files = readdirSync(`${OWN_DISPATCHFILES}/malformed`).sort();

  it("has an expected message for every file, and a file for every message", () => {
    expect(files).to.deep.equal(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    it(`${file}: ${EXPECTED[file]?.replace(/ \(expected.*/, "")}`, () => {
      const r = parseDispatchfile(readOwn(`malformed/${file}`), { file });
      expect(r.value).to.equal(undefined);
      expect(formatProblems(r.errors!)).to.equal(`${file}:${EXPECTED[file]}`);
    });
  }
});
