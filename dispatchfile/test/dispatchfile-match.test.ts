import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { formatProblems } from "@bosun/core";
import { matchImagePush, parseDispatchfile, tagMatches, type Dispatchfile } from "../src/index.js";
import { COPIED_DISPATCHFILES } from "./dispatchfile-support.js";

function parseOk(text: string): Dispatchfile {
  const r = parseDispatchfile(text);
  if (r.errors) throw new Error(formatProblems(r.errors));
  return r.value;
}
const copied = (name: string) => parseOk(readFileSync(join(COPIED_DISPATCHFILES, name), "utf8"));

describe("dispatchfile: matching image pushes", () => {
  describe("tag lists (at least one positive glob if any, and no ! glob)", () => {
    const table: [string[] | undefined, string, boolean][] = [
      // absent or empty: every tag
      [undefined, "latest", true],
      [undefined, "v1.2.3-rc1", true],
      [[], "latest", true],
      [[], "anything-at-all", true],
      // only negations: every tag but those
      [["!latest"], "latest", false],
      [["!latest"], "v1", true],
      [["!latest", "!*-rc*"], "v2-rc1", false],
      [["!latest", "!*-rc*"], "v2", true],
      // only positives
      [["release"], "release", true],
      [["release"], "v1", false],
      [["v*"], "v1.2", true],
      [["v*", "stable"], "stable", true],
      // mixed: a positive must match and no negation may
      [["v*", "!*-rc*"], "v1.2", true],
      [["v*", "!*-rc*"], "v1.2-rc1", false],
      [["v*", "!*-rc*"], "latest", false],
      [["!*-rc*", "v*"], "v3", true],
      // glob flavour: minimatch, dots ordinary, character classes and braces
      [["v[0-9].*"], "v1.0", true],
      [["v{1,2}.*"], "v3.0", false],
      [["*"], ".hidden", true],
    ];
    for (const [globs, tag, expected] of table) {
      it(`${JSON.stringify(globs)} ${expected ? "matches" : "does not match"} ${tag}`, () => {
        expect(tagMatches(tag, globs)).to.equal(expected);
      });
    }

    it("a push without a tag (by digest) matches only lists without positive globs", () => {
      expect(tagMatches(undefined, undefined)).to.equal(true);
      expect(tagMatches(undefined, ["!latest"])).to.equal(true);
      expect(tagMatches(undefined, ["v*"])).to.equal(false);
    });
  });

  it("runs the seed example's test task on tag release and nothing on v1", () => {
    const d = copied("image-push-release.cue.Dispatchfile");
    expect(matchImagePush(d, { repository: "example/app", tag: "release" })).to.deep.equal({
      actions: [0],
      tasks: ["test"],
    });
    expect(matchImagePush(d, { repository: "example/app", tag: "v1" })).to.deep.equal({
      actions: [],
      tasks: [],
    });
  });

  it("orders the release pipeline's tasks by their inputs, and tells releases from candidates", () => {
    const d = copied("release-pipeline.yaml.Dispatchfile");
    expect(matchImagePush(d, { tag: "v1.2" })).to.deep.equal({ actions: [0], tasks: ["verify", "publish"] });
    expect(matchImagePush(d, { tag: "v1.2-rc1" })).to.deep.equal({ actions: [1], tasks: ["verify"] });
    expect(matchImagePush(d, { tag: "latest" })).to.deep.equal({ actions: [], tasks: [] });
  });

  it("runs an action once when any tag of an event gathered per digest matches it", () => {
    const d = copied("release-pipeline.yaml.Dispatchfile");
    expect(matchImagePush(d, { tag: "latest", tags: ["latest", "v1.2"] })).to.deep.equal({
      actions: [0],
      tasks: ["verify", "publish"],
    });
    expect(matchImagePush(d, { tag: "latest", tags: ["latest", "edge"] })).to.deep.equal({
      actions: [],
      tasks: [],
    });
  });

  const pipeline = parseOk(`
resource "image": { type: "image", param url: "example/app" }
task "package": { outputs: ["image"], steps: [{ image: "busybox" }] }
task "deploy": { inputs: ["image"], deps: ["approve"], steps: [{ image: "busybox" }] }
task "approve": { steps: [{ image: "busybox" }] }
task "notify": { steps: [{ image: "busybox" }] }
task "lint": { steps: [{ image: "busybox" }] }
actions: [
  { tasks: ["deploy", "notify"], on image push: tags: ["v*"] },
  { tasks: ["notify", "package"], on image push: {} },
  { tasks: ["lint"], on push: branches: ["main"] },
  { tasks: ["lint"], on image push: tags: ["!v*"] },
]
`);

  it("runs every matching action; a task named twice runs once, after all it depends on", () => {
    expect(matchImagePush(pipeline, { tag: "v2" })).to.deep.equal({
      actions: [0, 1],
      tasks: ["approve", "package", "deploy", "notify"],
    });
  });

  it("is not triggered by git conditions, and an action with no tag list matches every tag", () => {
    expect(matchImagePush(pipeline, { tag: "nightly" })).to.deep.equal({
      actions: [1, 3],
      tasks: ["notify", "package", "lint"],
    });
  });
});
