import { expect } from "chai";
import { SourceError, type Node } from "../src/tree.js";
import { evaluateCue } from "../src/syntax/cue-evaluate.js";
import { parseCue } from "../src/syntax/cue-parser.js";
import { parseDispatchfile } from "../src/index.js";

const EVERY_FIELD: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/** Evaluates CUE text into plain values, every top-level field included. */
function cue(text: string, concatenate: string[] = []): unknown {
  return plain(evaluateCue(parseCue(text), EVERY_FIELD, new Set(concatenate)));
}

function plain(node: Node): unknown {
  if (node.kind === "list") return node.items.map(plain);
  if (node.kind === "struct")
    return Object.fromEntries([...node.fields].map(([k, f]) => [k, plain(f.value)]));
  return node.kind === "null" ? null : node.value;
}

function cueError(text: string): Pick<SourceError, "message" | "pos" | "expected" | "found"> {
  try {
    cue(text);
  } catch (err) {
    if (err instanceof SourceError)
      return { message: err.message, pos: err.pos, expected: err.expected, found: err.found };
    throw err;
  }
  throw new Error("no error");
}

describe("dispatchfile: Dispatch's CUE dialect", () => {
  it("folds labels separated by spaces, as the colon form does", () => {
    const folded = cue('task "test": { param url: "x" }\non image push: { tags: ["a"] }\n');
    const colons = cue('task: "test": { param: url: "x" }\non: image: push: { tags: ["a"] }\n');
    const nested = cue('task: { test: { param: { url: "x" } } }\non: { image: { push: { tags: ["a"] } } }\n');
    expect(folded).to.deep.equal(nested);
    expect(colons).to.deep.equal(nested);
    expect(cue("on: image push: tags: []\n")).to.deep.equal({ on: { image: { push: { tags: [] } } } });
  });

  it("merges the structs that folded labels open, field by field", () => {
    expect(cue('task "a": steps: []\ntask "b": steps: []\ntask "a": timeout: "1m"\n')).to.deep.equal({
      task: { a: { steps: [], timeout: "1m" }, b: { steps: [] } },
    });
  });

  it("reads bare and quoted labels, // comments, commas or line breaks between fields", () => {
    expect(cue('// comment\na: 1, "b-c": 2 // trailing\nd: { e: true, f: false, g: null }\n')).to.deep.equal({
      a: 1,
      "b-c": 2,
      d: { e: true, f: false, g: null },
    });
  });

  it("decodes strings: escapes, \\uXXXX, interpolated references and multi-line strings", () => {
    expect(cue('a: "q\\"\\\\\\/\\n\\t\\u00e9"\n')).to.deep.equal({ a: 'q"\\/\n\té' });
    expect(cue('user: "me"\nn: 2\nimage: "\\(user)/app:\\(n)"\n')).to.deep.include({ image: "me/app:2" });
    expect(cue('s: """\n    line one\n      indented\n    """\n')).to.deep.equal({
      s: "line one\n  indented",
    });
    expect(cue('s: "$(context.git.url)"\n')).to.deep.equal({ s: "$(context.git.url)" });
  });

  it("reads numbers, including negative and fractional ones", () => {
    expect(cue("a: 0\nb: -3\nc: 1.5\nd: 2e3\n")).to.deep.equal({ a: 0, b: -3, c: 1.5, d: 2000 });
  });

  it("joins lists and strings with +, through references to helper fields", () => {
    expect(
      cue('common: [{ name: "A" }]\nuser: "me"\nenv: common + [{ name: "B" }]\nimage: user + "/app"\n'),
    ).to.deep.include({ env: [{ name: "A" }, { name: "B" }], image: "me/app" });
  });

  it("reads lists with ... (open lists), with or without an element type", () => {
    expect(cue('a: [...]\nb: ["x", ...]\nc: [...string]\nd: [\n  "x"\n  "y"\n]\n')).to.deep.equal({
      a: [],
      b: ["x"],
      c: [],
      d: ["x", "y"],
    });
  });

  it("joins two declarations of a concatenated list end to end; others must agree", () => {
    expect(cue("actions: [1]\nactions: [2]\n", ["actions"])).to.deep.equal({ actions: [1, 2] });
    expect(cue('a: "x"\na: "x"\nb: [1]\nb: [1]\n')).to.deep.equal({ a: "x", b: [1] });
    expect(cueError('a: "x"\na: "y"\n')).to.deep.equal({
      message: 'conflicting values for "a"',
      pos: { line: 2, column: 4 },
      expected: 'the value given at line 1, column 4 ("x")',
      found: '"y"',
    });
  });

  it("resolves references lexically and through selectors; types are completed by values", () => {
    expect(cue('defaults: { image: "busybox" }\nstep: { image: defaults.image }\n')).to.deep.include({
      step: { image: "busybox" },
    });
    expect(cue('x: "outer"\ns: { x: "inner", y: x }\n')).to.deep.include({ s: { x: "inner", y: "inner" } });
    expect(cue('user: string\nuser: "me"\n')).to.deep.equal({ user: "me" });
  });

  it("leaves hidden fields and definitions out, and skips a package line", () => {
    expect(cue('package dispatch\n_h: 1\n#D: { a: 1 }\nv: _h\n"_q": 2\n')).to.deep.equal({ v: 1, _q: 2 });
    expect(cue("constructor: 1\nif: 2\n")).to.deep.equal({ constructor: 1, if: 2 });
  });

  it("evaluates only the schema's fields, so an unused helper may stay incomplete", () => {
    const r = parseDispatchfile('registry: string\ntask "t": steps: [{ image: "busybox" }]\n');
    expect(r.errors).to.equal(undefined);
    expect(r.warnings.map((w) => w.message)).to.deep.equal([
      'top-level field "registry" is not part of the Dispatchfile schema; ignored',
    ]);
  });

  it("locates evaluation errors: undefined references, cycles, bad joins, incomplete values", () => {
    expect(cueError("a: b\n")).to.deep.include({
      message: 'undefined reference "b"',
      pos: { line: 1, column: 4 },
    });
    expect(cueError("a: b\nb: a\n")).to.deep.include({ message: 'reference cycle through "a"' });
    expect(cueError('a: [1] + "x"\n')).to.deep.include({
      message: 'cannot join these values with "+"',
      found: 'a list (1 item) + "x"',
    });
    expect(cueError("a: string\n")).to.deep.include({
      message: "incomplete value: string",
      expected: "a concrete string",
    });
    expect(cueError("s: { x: 1 }\na: s.y\n")).to.deep.include({ message: 'undefined reference "s.y"' });
  });

  it("refuses newer CUE by name", () => {
    for (const [text, what] of [
      ['a: string | *"x"\n', "disjunctions (a | b)"],
      ["a: b & c\n", "unification (a & b)"],
      ['import "strings"\n', "imports"],
      ["[string]: int\n", "pattern constraints ([string]: ...)"],
      ["a: [for x in y { x }]\n", "comprehensions (for)"],
      ["a: 1 - 2\n", "arithmetic operators"],
    ] as const) {
      expect(cueError(text).message).to.equal(`${what} are not supported in Dispatchfiles read by Bosun`);
    }
  });
});
