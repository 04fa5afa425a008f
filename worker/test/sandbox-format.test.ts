import { expect } from "chai";
import { formatArgs, inspect } from "../src/sandbox/isolated/runtime-format.js";

describe("sandbox console formatting", () => {
  it("prints strings as they are and other values inspected, space-separated", () => {
    expect(formatArgs(["a", 1, true, null, undefined, "b"])).to.equal("a 1 true null undefined b");
    expect(formatArgs([])).to.equal("");
  });

  it("fills printf-style placeholders", () => {
    expect(formatArgs(["%s is %d years, %i%%", "Ada", 36.6, 7.9])).to.equal("Ada is 36.6 years, 7%");
    expect(formatArgs(["%j and %o", { a: 1 }, [1]])).to.equal('{"a":1} and [ 1 ]');
    expect(formatArgs(["%s left", "one", "extra"])).to.equal("one left extra");
    expect(formatArgs(["100%"])).to.equal("100%");
  });

  it("inspects objects like Node, briefly", () => {
    expect(inspect({ a: 1, b: "x", "c-d": [1, 2], e: { f: { g: { h: 1 } } } })).to.equal(
      "{ a: 1, b: 'x', 'c-d': [ 1, 2 ], e: { f: { g: [Object] } } }",
    );
    expect(inspect([])).to.equal("[]");
    expect(inspect(new Map([["k", 1]]))).to.equal("Map(1) { 'k' => 1 }");
    expect(inspect(new Set([1]))).to.equal("Set(1) { 1 }");
    expect(inspect(function named() {})).to.equal("[Function: named]");
    expect(inspect(class Thing {})).to.equal("[class Thing]");
    expect(inspect(10n)).to.equal("10n");
    expect(inspect(new Date(0))).to.equal("1970-01-01T00:00:00.000Z");
  });

  it("breaks long objects over lines", () => {
    const text = inspect({
      repository: { repo_name: "svendowideit/testhook", description: "a long enough description" },
    });
    expect(text).to.equal(
      "{\n  repository: {\n    repo_name: 'svendowideit/testhook',\n    description: 'a long enough description'\n  }\n}",
    );
  });

  it("survives cycles and errors", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(inspect(a)).to.equal("{ name: 'a', self: [Circular] }");
    const err = new Error("bad");
    expect(inspect(err)).to.match(/^Error: bad\n/);
  });
});
