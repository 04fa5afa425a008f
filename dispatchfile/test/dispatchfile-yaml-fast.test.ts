/**
 * YAML Dispatchfiles are read first by the fast reader (js-yaml, no positions), and again by the full
 * reader when anything is wrong. The two must agree on every value, or a file would mean one thing
 * when valid and another when it has a typo.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDispatchfile } from "../src/index.js";
import { readYaml } from "../src/syntax/yaml.js";
import { readYamlFast } from "../src/syntax/yaml-fast.js";
import type { Node } from "../src/tree.js";
import { realDispatchfileFolders } from "./dispatchfile-support.js";

/** The tree without positions. */
function plain(node: Node): unknown {
  switch (node.kind) {
    case "list":
      return node.items.map(plain);
    case "struct":
      return Object.fromEntries([...node.fields].map(([k, f]) => [k, plain(f.value)]));
    case "null":
      return null;
    default:
      return { [node.kind]: node.value };
  }
}

const SCALARS = `
words: [yes, no, on, off, y, n, True, FALSE, ~, null, Null, "", '']
numbers: [1, -2, 0o17, 0x1F, 1.5, 1e3, .inf, -.Inf, .nan, "123", 0123, +7, 1_000]
text: |
  line one
  line two
folded: >
  a
  b
empty:
anchor: &base { image: alpine, command: [sh] }
alias: *base
on: { image: { push: { tags: ["v*", "!*-rc*"] } } }
"quoted key": 1
2024-01-01: a date-like key
`;

describe("dispatchfile: the fast YAML reading", () => {
  const real = realDispatchfileFolders().flatMap(({ dir }) =>
    readdirSync(dir)
      .filter((f) => f.includes("yaml"))
      .map((f) => readFileSync(join(dir, f), "utf8")),
  );

  it("gives the same values as the full reading, scalars of every YAML 1.2 core kind included", () => {
    for (const text of [SCALARS, ...real]) {
      const body = text.startsWith("#!") ? text.slice(text.indexOf("\n") + 1) : text;
      const fast = readYamlFast(body);
      expect(fast, body.slice(0, 40)).to.not.equal(undefined);
      const full = plain(readYaml(body));
      // NaN is not equal to itself: compare through JSON, where both become null.
      expect(JSON.stringify(plain(fast!))).to.equal(JSON.stringify(full));
    }
    expect(real.length).to.be.greaterThan(0);
  });

  it("leaves what it refuses to the full reading, which names the place", () => {
    for (const body of ["a: 1\na: 2\n", "a:\n\t- b\n", "a: [1, 2\n", "--- a\n--- b\n"]) {
      expect(readYamlFast(body), JSON.stringify(body)).to.equal(undefined);
    }
    const duplicate = parseDispatchfile("#!yaml\ntask:\n  a: {steps: []}\n  a: {steps: []}\n");
    expect(duplicate.errors?.[0]).to.include({ code: "DISPATCHFILE_INVALID", line: 4 });
  });

  it("gives problems and warnings their positions, by reading the file again", () => {
    const result = parseDispatchfile(
      "#!yaml\nhelper: 1\ntask:\n  test:\n    steps:\n      - name: s\n        image: alpine\nactions:\n  - tasks: [nope]\n",
    );
    const missing = result.errors?.find((e) => /nope/.test(e.message));
    expect(missing?.line, JSON.stringify(result.errors)).to.equal(9);
    expect(result.warnings[0]).to.include({ line: 2 });
  });
});
